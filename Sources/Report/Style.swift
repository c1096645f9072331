/// The page's one stylesheet, inline: nothing is fetched. Charts and tables side by side on a
/// wide screen and on A4, one above the other on a phone; no colour carries meaning alone
/// (the control cohort is also dashed and square), so it prints in black and white.
enum Style {
    static let css = """
    :root { --treatment: #1f4e8c; --control: #b85400; --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d9d9d9; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; }
    main { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
    header { border-bottom: 3px solid var(--ink); padding-bottom: 0.75rem; margin-bottom: 1.5rem; }
    .kicker { margin: 0; color: var(--muted); font-size: 0.9rem; letter-spacing: 0.02em; }
    h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.25rem 0 0.5rem; }
    h2 { font-size: 1.4rem; margin: 2.25rem 0 0.75rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.25rem; }
    h3 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
    .meta { margin: 0; color: var(--muted); }
    .notice { margin: 0.75rem 0 0; padding: 0.4rem 0.7rem; border: 2px solid var(--control); font-weight: 600; }
    p { margin: 0.5rem 0; max-width: 46rem; }
    .answer { font-size: 1.15rem; border-left: 4px solid var(--treatment); padding: 0.25rem 0 0.25rem 0.9rem; margin: 1rem 0; }
    .answer .label { display: block; font-size: 0.85rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
    .explain { color: var(--muted); }
    figure.figure { margin: 2rem 0; padding-top: 1rem; border-top: 1px solid var(--rule); break-inside: avoid; page-break-inside: avoid; }
    figcaption h3 { margin: 0 0 0.25rem; }
    .reading { margin: 0 0 0.75rem; font-style: italic; }
    section > h2 + figure.figure { border-top: 0; padding-top: 0; }
    /* The chart takes what its table leaves; a table too wide to sit beside it goes below. */
    .figure-body { display: flex; flex-wrap: wrap; gap: 1rem 1.5rem; align-items: flex-start; }
    /* Never narrower than 20 rem beside a table: a wide table goes below (hidden cells' words shrank the chart to 9 px text, a review). */
    .plot { flex: 1 1 20rem; min-width: min(20rem, 100%); max-width: 34rem; }
    div.numbers { flex: 0 1 auto; min-width: 0; max-width: 100%; overflow-x: auto; }
    .note { font-size: 0.85rem; color: var(--muted); margin-top: 0.5rem; }
    svg.chart { display: block; width: 100%; height: auto; }
    table.numbers { border-collapse: collapse; width: 100%; font-size: 0.82rem; line-height: 1.35; font-variant-numeric: tabular-nums; }
    table.numbers th, table.numbers td { padding: 0.12rem 0.45rem; border-bottom: 1px solid #eee; vertical-align: top; }
    table.numbers thead th { text-align: right; border-bottom: 1px solid var(--ink); font-weight: 600; vertical-align: bottom; }
    table.numbers thead th:first-child { text-align: left; }
    table.numbers tbody th { text-align: left; font-weight: normal; overflow-wrap: anywhere; }
    table.numbers td { text-align: right; }
    table.numbers data { white-space: nowrap; }
    table.numbers td.text, table.numbers thead th.text { text-align: left; }
    table.numbers .ci { display: block; font-size: 0.9em; font-weight: normal; color: var(--muted); white-space: nowrap; }
    table.numbers tr.group th { font-weight: 600; padding-top: 0.6rem; text-align: left; }
    section > table.numbers { max-width: 40rem; }
    data.suppressed { font-style: italic; color: var(--muted); white-space: nowrap; }
    data.undefined, data.absent { color: var(--muted); }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.75rem 0; }
    dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; }
    dl.terms dt, dl.exact dt { font-weight: 600; margin-top: 0.75rem; }
    dl.terms dd, dl.exact dd { margin: 0.1rem 0 0; max-width: 46rem; }
    dl.exact dd { font-size: 0.9rem; }
    .views { display: block; margin-top: 0.15rem; }
    .views code { margin-right: 0.75rem; font-size: 0.85em; overflow-wrap: anywhere; }
    a { color: var(--treatment); }
    .exact-link { font-size: 0.85rem; white-space: nowrap; }
    footer { margin-top: 3rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: 0.85rem; }
    /* The charts: sizes in the drawing's own units. */
    svg.chart text { font-family: inherit; fill: var(--ink); }
    svg .tick, svg .legend, svg .value, svg .region-label { font-size: 11px; }
    svg .tick, svg .region-label { fill: var(--muted); }
    svg .axis-label, svg .row-label { font-size: 12px; }
    svg .panel-title { font-size: 12px; font-weight: 600; }
    svg .axis { stroke: #777; stroke-width: 1; }
    svg .grid { stroke: #e6e6e6; stroke-width: 1; }
    svg .reference, svg .arrival { stroke: #444; stroke-width: 1; stroke-dasharray: 4 3; }
    svg .zero { stroke: #222; stroke-width: 1.2; }
    svg .before { fill: #f1f1f1; }
    svg .band { fill: var(--treatment); fill-opacity: 0.18; stroke: none; }
    svg .ci { stroke: var(--ink); stroke-width: 1.6; }
    svg .estimate { fill: var(--treatment); stroke: #fff; stroke-width: 1; }
    svg .estimate.pre { fill: #fff; stroke: var(--treatment); stroke-width: 1.5; }
    svg .band-end { fill: none; stroke: none; }
    svg path.series { fill: none; stroke-width: 2; }
    svg .series.treatment { stroke: var(--treatment); }
    svg .series.control { stroke: var(--control); stroke-dasharray: 5 3; }
    svg path.series:not(.treatment):not(.control) { stroke: var(--treatment); }
    svg .marker.treatment, svg .bar.treatment { fill: var(--treatment); }
    svg .marker.control, svg .bar.control { fill: var(--control); }
    svg .marker { stroke: #fff; stroke-width: 0.8; }
    svg .bar.suppressed { fill: #fff; stroke: var(--muted); stroke-dasharray: 2 2; }
    svg .marker.suppressed { fill: #fff; stroke: var(--muted); stroke-width: 1; }
    svg .missing { font-size: 11px; font-style: italic; fill: var(--muted); }
    @media (max-width: 600px) {
      body { font-size: 15px; }
      main { padding: 1rem 0.9rem 2rem; }
      h1 { font-size: 1.5rem; }
      dl.facts { grid-template-columns: 1fr; }
      dl.facts dd { margin-bottom: 0.4rem; }
      table.numbers { font-size: 0.76rem; }
      table.numbers th, table.numbers td { padding: 0.12rem 0.16rem; }
      table.numbers data.suppressed { white-space: normal; }
    }
    @media print {
      @page { size: A4; margin: 14mm 14mm 16mm; }
      body { font-size: 10pt; }
      main { max-width: none; padding: 0; }
      h2 { break-after: avoid; page-break-after: avoid; }
      /* Always side by side on paper: a chart alone on a page and its table on the next helps no one. */
      .figure-body { flex-wrap: nowrap; }
      .plot { flex: 1 1 55%; max-width: none; }
      div.numbers { flex: 1 1 45%; overflow: visible; }
      .figure.wide .figure-body { flex-wrap: wrap; }
      .figure.wide .plot { flex: 0 1 100%; max-width: 62%; }
      .figure.wide div.numbers { flex: 1 1 100%; }
      a { color: inherit; text-decoration: none; }
      /* A column cut at the page's edge ("Contro", a long district pushing the figures off): wrap instead (a review). */
      table.numbers data.suppressed { white-space: normal; }
      /* 8.5 pt: at the screen's 0.82 rem (of 12 pt) "Behandling" broke in the middle, a review. */
      table.numbers { table-layout: auto; font-size: 8.5pt; }
      table.numbers thead th { overflow-wrap: break-word; }
    }
    """
}
