/// A POSIX access control list as Linux stores it in the `system.posix_acl_access` and
/// `system.posix_acl_default` attributes (what `setfacl` makes): entries of a tag (0x01 the
/// owner, 0x02 a user, 0x04 the group, 0x10 the mask, 0x20 others), permission bits and an id
/// (`UInt32.max` for the entries that name none).
package func posixACL(_ entries: [(tag: UInt8, permissions: UInt8, id: UInt32)]) -> [UInt8] {
    entries.reduce([2, 0, 0, 0]) { acl, entry in
        acl + [entry.tag, 0, entry.permissions, 0] + withUnsafeBytes(of: entry.id.littleEndian, Array.init)
    }
}
