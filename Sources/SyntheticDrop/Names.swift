/// The words the generator writes: districts, names, notes. Chosen to carry æøå, é and
/// the characters that need escaping or quoting (`&`, `<`, `>`, `"`, `,`, `;`, line breaks).
enum Names {
    /// Copenhagen's ten bydele, their cluster code and their share of the children.
    static let districts: [(name: String, code: String, weight: Double)] = [
        ("Indre By", "IB", 0.07), ("Østerbro", "OB", 0.12), ("Nørrebro", "NB", 0.13),
        ("Vesterbro/Kongens Enghave", "VK", 0.12), ("Valby", "VA", 0.11), ("Vanløse", "VL", 0.07),
        ("Brønshøj-Husum", "BH", 0.08), ("Bispebjerg", "BB", 0.10), ("Amager Øst", "AO", 0.10),
        ("Amager Vest", "AV", 0.10),
    ]

    static let prefixes: [InstitutionType: [String]] = [
        .vuggestue: ["Vuggestuen"],
        .boernehave: ["Børnehaven"],
        .integreret: ["Børnehuset", "Daginstitutionen", "Børnegården", "Den Integrerede Institution"],
    ]

    static let cores = [
        "Mælkebøtten", "Solsikken", "Æblehaven", "Spiren", "Regnbuen", "Troldehøjen", "Skovly", "Myretuen",
        "Søstjernen", "Bøgely", "Græshoppen", "Humlebien", "Kastanjen", "Mågen", "Ællingen", "Fuglereden",
        "Lærkereden", "Bamsebo", "Krudtuglen", "Pilehuset", "Sømærket", "Tumlehuset", "Fyrtårnet",
        "Kløverbladet", "Ugleredet", "Egernet", "Rævehulen", "Åkanden", "Blåbærret", "Pærehuset",
        "Snegleborgen", "Valmuen", "Hyldebærret", "Mariehønen", "Grønnegården", "Nøddebo", "Lindely",
        "Rosenhaven", "Abildgården", "Havfruen", "Vildbassen", "Ørnereden", "Guldklumpen", "Stjerneskuddet",
        "Månestrålen", "Solstrålen", "Kaskelotten", "Spætten", "Idéhuset", "Leg & Lær", "\"Åen\"",
        "Store & Små <3-6 år>", "Café Krudtuglen", "Bakkehøj",
    ]

    static let firstNames = [
        "Mette", "Søren", "Anne", "Jens", "Line", "Mads", "Sofie", "Rasmus", "Camilla", "Mikkel", "Louise",
        "Frederik", "Maria", "Jonas", "Ida", "Kasper", "Julie", "René", "Bodil", "Åse", "Helle", "Birgitte",
        "Signe", "Ditte", "Bjørn", "Sæbjørn", "Anne-Marie", "Zoë",
    ]

    static let lastNames = [
        "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Møller", "Bøgh",
        "Ægidius", "Østergaard", "Krøyer", "Aagaard", "Hjørnholm",
    ]

    static let nicknames = ["Mie", "Bo", "Tut", "Søs"]

    /// `stillingsbetegnelse` in the other municipality's roster: commas force quoting there.
    static let titles = ["Socialrådgiver", "Socialrådgiver, dagtilbud", "Familierådgiver",
                         "Børne- og familierådgiver, team Syd", "Rådgiver \"fremskudt\""]

    /// `bemaerkning` on some case events: the delimiter, quotes and a line break.
    static let notes = [
        "Telefonisk underretning", "Aftalt opfølgning; møde med forældre", "Forældre oplyser \"alt er fint\"",
        "Samtale med pædagog\nOpfølgning om 3 mdr.", "Drøftet på tværfagligt møde; næste møde aftales",
        "Overført fra anden kommune", "Børnefaglig undersøgelse jf. § 50",
    ]

    static let unknownEventTypes = ["sag_genaabnet", "klage_modtaget", "bevilling", "sag_flyttet"]
    static let nonexistentDays: [(Int, Int, Int)] = [(31, 2, 2015), (29, 2, 2019), (31, 4, 2018), (30, 2, 2020), (31, 6, 2016), (31, 9, 2014)]
}
