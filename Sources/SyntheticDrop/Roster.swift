import Pipeline

struct Worker {
    var id: String
    var name: String
    var title: String
}

struct Assignment {
    var worker: Int
    var institution: Int
    var from: Day
    /// nil while it lasts.
    var to: Day?
}
