import Foundation

/// Headless Chromium, for the tests that look at the report as a reader's browser draws it.
enum Browser {
    /// `CHROMIUM`, else the first of Debian's and Google's names on the PATH.
    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") { return "\(folder)/\(name)" }
        }
        return nil
    }()

    static let missing = "Chromium is missing, so the report was not drawn in a real browser: install Debian's chromium "
        + "(apt-get install chromium; .ci/run does) or set CHROMIUM=/path/to/chromium"

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Runs headless Chromium on `arguments` (a page last), at most `timeout` seconds; its standard output.
    static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> String {
        guard let path else { throw Failure(description: missing) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // Root in a container has no sandbox to give; nothing here is fetched from a network.
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                             "--no-first-run", "--disable-extensions", "--mute-audio", "--force-device-scale-factor=1"] + arguments
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        process.arguments?.insert("--user-data-dir=\(folder.path)/profile", at: 0)
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "chromium did not finish within \(Int(timeout)) s: \(arguments.joined(separator: " "))")
        }
        let stdout = try String(contentsOf: out, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            throw Failure(description: "chromium exited \(process.terminationStatus): \(stderr.suffix(800))")
        }
        return stdout
    }

    /// What a test-only script measured in the page, after layout, at one window width.
    struct Measurement: Decodable {
        struct Box: Decodable { var l, r, t, b: Double }
        struct Chart: Decodable {
            var id: String
            /// The drawing's box on the page, and the box of the element that holds it.
            var box: Box
            var parent: Box
            /// What the drawing's content covers, in its own units, and its viewBox.
            var content: Box
            var viewBox: Box
        }
        var width: Double
        var scrollWidth: Double
        var height: Double
        var textLength: Int
        var charts: [Chart]
        /// Tables wider than their box (scrolled sideways on a screen, cut off on paper).
        var wideTables: [String]
    }

    /// Headless Chromium draws no window narrower than this; a phone's width is drawn in a
    /// frame of that width inside it (its media queries see the frame).
    static let narrowestWindow = 500

    /// A page holding the report in a frame `width` wide and `height` high (`srcdoc`: same
    /// origin, so a script of the outer page can measure inside), with `script` after it.
    static func framed(_ report: URL, width: Int, height: Int, script: String, in folder: URL, name: String) throws -> URL {
        let html = try String(contentsOf: report, encoding: .utf8)
        let escaped = html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        let page = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><style>html, body { margin: 0; background: #fff; }
            iframe { display: block; border: 0; width: \(width)px; height: \(height)px; }</style></head>
            <body><iframe id="report" scrolling="no" srcdoc="\(escaped)"></iframe>\(script)</body></html>
            """
        let url = folder.appendingPathComponent("\(name).html")
        try page.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The script: once the frame has loaded, measures every chart in it and writes the
    /// result into the outer page as JSON, for `--dump-dom`.
    static let measuringScript = """
    <script>
    document.getElementById('report').addEventListener('load', function () {
      var w = this.contentWindow, d = this.contentDocument;
      function box(r) { return { l: r.left, r: r.right, t: r.top, b: r.bottom }; }
      var out = { width: w.innerWidth, scrollWidth: d.documentElement.scrollWidth,
                  height: d.documentElement.scrollHeight, textLength: d.body.innerText.length, charts: [] };
      d.querySelectorAll('svg.chart').forEach(function (svg) {
        var vb = svg.viewBox.baseVal, c = svg.getBBox();
        out.charts.push({ id: svg.id, box: box(svg.getBoundingClientRect()), parent: box(svg.parentElement.getBoundingClientRect()),
                          content: { l: c.x, r: c.x + c.width, t: c.y, b: c.y + c.height },
                          viewBox: { l: vb.x, r: vb.x + vb.width, t: vb.y, b: vb.y + vb.height } });
      });
      out.wideTables = [];
      d.querySelectorAll('div.numbers').forEach(function (div) {
        if (div.scrollWidth > div.clientWidth + 1) { out.wideTables.push(div.parentElement.parentElement.id || 'a table'); }
      });
      var pre = document.createElement('pre');
      pre.id = 'measurement';
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    });
    </script>
    """

    /// Draws `report` `width` wide with the measuring script and reads back what it measured.
    static func measure(_ report: URL, width: Int, in folder: URL) throws -> Measurement {
        let page = try framed(report, width: width, height: 2000, script: measuringScript, in: folder, name: "measure-\(width)")
        let dom = try run(["--window-size=\(max(width, narrowestWindow)),2100", "--virtual-time-budget=10000", "--dump-dom", page.absoluteString])
        guard let start = dom.range(of: "<pre id=\"measurement\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            throw Failure(description: "the measuring script wrote nothing (scripts off, or the page did not load): \(dom.suffix(300))")
        }
        let json = dom[start.upperBound..<end.lowerBound].replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONDecoder().decode(Measurement.self, from: Data(json.utf8))
    }

    /// The whole report, `width` wide and `height` high, as a PNG (at least `narrowestWindow` wide;
    /// a narrower width is the frame at its left, white beside it).
    static func screenshot(_ report: URL, width: Int, height: Int, to png: URL, in folder: URL) throws {
        let page = try framed(report, width: width, height: height, script: "", in: folder, name: "shot-\(width)")
        // The window's height includes what headless Chromium keeps for its own frame.
        _ = try run(["--window-size=\(max(width, narrowestWindow)),\(height)", "--screenshot=\(png.path)", page.absoluteString])
    }
}
