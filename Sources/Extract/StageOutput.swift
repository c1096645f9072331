import Pipeline

/// Extract writes its stage files with Pipeline's one writer and codecs; their failures
/// become extract's (`cannotWrite`, with the path).
@inline(__always)
func writing<T>(_ body: () throws -> T) throws(ExtractError) -> T {
    do { return try body() } catch let e as StageFileError {
        throw .cannotWrite(path: e.path, message: e.message)
    } catch let e as ExtractError {
        throw e
    } catch {
        throw .cannotWrite(path: "a stage file", message: "\(error)")
    }
}
