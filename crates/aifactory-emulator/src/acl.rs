//! POSIX-style ACLs as ADLS Gen2 speaks them: the `x-ms-acl` grammar
//! (`[default:]user|group|mask|other:[objectId]:rwx`, comma-separated), `x-ms-permissions`
//! (symbolic `rwxr-x---[+]` or octal `0750`), and the set / modify / remove operations
//! including mask recomputation.
//!
//! Owns ACL values and their validation; must not know paths or HTTP.

use serde::{Deserialize, Serialize};

/// Maximum entries in an access ACL and in a default ACL.
pub const MAX_ENTRIES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    User,
    Group,
    Mask,
    Other,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Mask => "mask",
            Kind::Other => "other",
        }
    }
}

/// One access control entry. `id` empty = owning user / owning group (or mask/other).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ace {
    pub default: bool,
    pub kind: Kind,
    pub id: String,
    /// r=4, w=2, x=1.
    pub perms: u8,
}

impl Ace {
    fn same_slot(&self, o: &Ace) -> bool {
        self.default == o.default && self.kind == o.kind && self.id.eq_ignore_ascii_case(&o.id)
    }
    fn named(&self) -> bool {
        !self.id.is_empty() && matches!(self.kind, Kind::User | Kind::Group)
    }
}

/// Why an ACL or permission string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AclError(pub String);

/// rwx triad from bits.
pub fn triad(bits: u8) -> String {
    format!(
        "{}{}{}",
        if bits & 4 != 0 { 'r' } else { '-' },
        if bits & 2 != 0 { 'w' } else { '-' },
        if bits & 1 != 0 { 'x' } else { '-' }
    )
}

fn parse_triad(s: &str) -> Option<u8> {
    let c: Vec<char> = s.chars().collect();
    if c.len() != 3 {
        return None;
    }
    let mut b = 0;
    match c[0] {
        'r' => b |= 4,
        '-' => {}
        _ => return None,
    }
    match c[1] {
        'w' => b |= 2,
        '-' => {}
        _ => return None,
    }
    match c[2] {
        'x' => b |= 1,
        '-' => {}
        _ => return None,
    }
    Some(b)
}

/// How entries are written: with permissions (`set`, `modify`) or without (`remove`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    WithPerms,
    Remove,
}

/// Parses an `x-ms-acl` value.
pub fn parse(s: &str, mode: Mode) -> Result<Vec<Ace>, AclError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AclError("the ACL is empty".into()));
    }
    let mut out: Vec<Ace> = Vec::new();
    for raw in s.split(',') {
        let e = raw.trim();
        if e.is_empty() {
            return Err(AclError("empty access control entry".into()));
        }
        let mut parts: Vec<&str> = e.split(':').collect();
        let default = parts.first() == Some(&"default");
        if default {
            parts.remove(0);
        }
        let (kind, id, perms) = match (mode, parts.len()) {
            (Mode::WithPerms, 3) => (parts[0], parts[1], Some(parts[2])),
            (Mode::Remove, 2) => (parts[0], parts[1], None),
            (Mode::Remove, 3) => (parts[0], parts[1], Some(parts[2])),
            _ => {
                return Err(AclError(format!(
                    "'{e}' is not of the form [default:]type:[id]{}",
                    if mode == Mode::WithPerms {
                        ":perms"
                    } else {
                        ""
                    }
                )))
            }
        };
        let kind = match kind {
            "user" => Kind::User,
            "group" => Kind::Group,
            "mask" => Kind::Mask,
            "other" => Kind::Other,
            k => {
                return Err(AclError(format!(
                    "unknown entry type '{k}' in '{e}' (user, group, mask or other)"
                )))
            }
        };
        if !id.is_empty() {
            if matches!(kind, Kind::Mask | Kind::Other) {
                return Err(AclError(format!(
                    "'{e}': {} entries cannot name an identity",
                    kind.word()
                )));
            }
            if !crate::util::is_guid(id) {
                return Err(AclError(format!(
                    "'{e}': '{id}' is not an object ID (GUID)"
                )));
            }
        }
        let perms = match perms {
            Some(p) => match parse_triad(p) {
                Some(b) => b,
                None if mode == Mode::Remove => 0,
                None => {
                    return Err(AclError(format!(
                        "'{e}': permissions must be three characters of r, w, x or -"
                    )))
                }
            },
            None => 0,
        };
        let ace = Ace {
            default,
            kind,
            id: id.to_ascii_lowercase(),
            perms,
        };
        if out.iter().any(|o| o.same_slot(&ace)) {
            return Err(AclError(format!("duplicate entry for '{e}'")));
        }
        out.push(ace);
    }
    let access = out.iter().filter(|a| !a.default).count();
    if access > MAX_ENTRIES || out.len() - access > MAX_ENTRIES {
        return Err(AclError(format!(
            "at most {MAX_ENTRIES} access and {MAX_ENTRIES} default entries are allowed"
        )));
    }
    Ok(out)
}

/// A path's complete ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathAcl {
    pub owner: String,
    pub group: String,
    /// Access entries, always including `user::`, `group::`, `other::`.
    pub access: Vec<Ace>,
    /// Default entries (directories only).
    pub default: Vec<Ace>,
}

fn base(default: bool, kind: Kind, perms: u8) -> Ace {
    Ace {
        default,
        kind,
        id: String::new(),
        perms,
    }
}

fn order(a: &Ace) -> (u8, String) {
    let rank = match (a.kind, a.id.is_empty()) {
        (Kind::User, true) => 0,
        (Kind::User, false) => 1,
        (Kind::Group, true) => 2,
        (Kind::Group, false) => 3,
        (Kind::Mask, _) => 4,
        (Kind::Other, _) => 5,
    };
    (rank, a.id.clone())
}

fn normalize(list: &mut Vec<Ace>, default: bool) {
    list.sort_by_key(order);
    let has_named = list.iter().any(Ace::named);
    let has_mask = list.iter().any(|a| a.kind == Kind::Mask);
    if has_named && !has_mask {
        let m = list
            .iter()
            .filter(|a| a.named() || (a.kind == Kind::Group && a.id.is_empty()))
            .fold(0, |m, a| m | a.perms);
        list.push(base(default, Kind::Mask, m));
        list.sort_by_key(order);
    }
}

impl PathAcl {
    /// A new ACL from mode bits (e.g. 0o750).
    pub fn from_mode(owner: &str, group: &str, mode: u16) -> PathAcl {
        PathAcl {
            owner: owner.into(),
            group: group.into(),
            access: vec![
                base(false, Kind::User, ((mode >> 6) & 7) as u8),
                base(false, Kind::Group, ((mode >> 3) & 7) as u8),
                base(false, Kind::Other, (mode & 7) as u8),
            ],
            default: Vec::new(),
        }
    }

    fn get(&self, kind: Kind) -> u8 {
        self.access
            .iter()
            .find(|a| a.kind == kind && a.id.is_empty())
            .map(|a| a.perms)
            .unwrap_or(0)
    }

    /// `x-ms-permissions`: owner, group class (mask if present), other, `+` when extended.
    pub fn permissions(&self) -> String {
        let has_mask = self.access.iter().any(|a| a.kind == Kind::Mask);
        let g = if has_mask {
            self.get(Kind::Mask)
        } else {
            self.get(Kind::Group)
        };
        let extended = self.access.iter().any(Ace::named) || has_mask;
        format!(
            "{}{}{}{}",
            triad(self.get(Kind::User)),
            triad(g),
            triad(self.get(Kind::Other)),
            if extended { "+" } else { "" }
        )
    }

    /// `x-ms-acl` (access entries then default entries), optionally mapping ids.
    pub fn to_header(&self, map_id: &dyn Fn(&str) -> String) -> String {
        self.access
            .iter()
            .chain(self.default.iter())
            .map(|a| {
                format!(
                    "{}{}:{}:{}",
                    if a.default { "default:" } else { "" },
                    a.kind.word(),
                    if a.id.is_empty() {
                        String::new()
                    } else {
                        map_id(&a.id)
                    },
                    triad(a.perms)
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Applies `x-ms-permissions` (symbolic or octal); with a mask, the group triad sets the mask.
    pub fn chmod(&mut self, perms: &str) -> Result<(), AclError> {
        let p = perms.trim();
        let octal = (p.len() == 3 || p.len() == 4) && p.chars().all(|c| ('0'..='7').contains(&c));
        let bits: [u8; 3] = if octal {
            // Last three digits (a leading sticky/setuid digit is accepted and ignored).
            let d: Vec<u8> = p.bytes().map(|b| b - b'0').collect();
            let n = d.len();
            [d[n - 3], d[n - 2], d[n - 1]]
        } else {
            let s = p.trim_end_matches('+');
            if !s.is_ascii() || s.len() != 9 {
                return Err(AclError(format!("invalid permissions '{p}'")));
            }
            // Sticky bit: `t` = sticky + x, `T` = sticky without x (sticky itself is not modelled).
            let other = if s.ends_with('t') {
                format!("{}x", &s[6..8])
            } else if s.ends_with('T') {
                format!("{}-", &s[6..8])
            } else {
                s[6..9].to_string()
            };
            match (
                parse_triad(&s[0..3]),
                parse_triad(&s[3..6]),
                parse_triad(&other),
            ) {
                (Some(a), Some(b), Some(c)) => [a, b, c],
                _ => return Err(AclError(format!("invalid permissions '{p}'"))),
            }
        };
        let has_mask = self.access.iter().any(|a| a.kind == Kind::Mask);
        for a in self.access.iter_mut().filter(|a| a.id.is_empty()) {
            match a.kind {
                Kind::User => a.perms = bits[0],
                Kind::Group if !has_mask => a.perms = bits[1],
                Kind::Mask => a.perms = bits[1],
                Kind::Other => a.perms = bits[2],
                _ => {}
            }
        }
        Ok(())
    }

    /// `set`: replaces the ACL. Access entries must include `user::`, `group::`, `other::`;
    /// missing default base entries are filled from the access ones.
    pub fn set(&mut self, entries: &[Ace], is_dir: bool) -> Result<(), AclError> {
        let mut access: Vec<Ace> = entries.iter().filter(|a| !a.default).cloned().collect();
        let mut default: Vec<Ace> = if is_dir {
            entries.iter().filter(|a| a.default).cloned().collect()
        } else {
            Vec::new()
        };
        for k in [Kind::User, Kind::Group, Kind::Other] {
            if !access.iter().any(|a| a.kind == k && a.id.is_empty()) {
                return Err(AclError(format!(
                    "the ACL must contain an entry for {}::",
                    k.word()
                )));
            }
        }
        if !default.is_empty() {
            for k in [Kind::User, Kind::Group, Kind::Other] {
                if !default.iter().any(|a| a.kind == k && a.id.is_empty()) {
                    let p = access
                        .iter()
                        .find(|a| a.kind == k && a.id.is_empty())
                        .map(|a| a.perms)
                        .unwrap_or(0);
                    default.push(base(true, k, p));
                }
            }
        }
        normalize(&mut access, false);
        normalize(&mut default, true);
        self.access = access;
        self.default = default;
        Ok(())
    }

    /// `modify`: updates matching entries and adds new ones; mask recomputed unless given.
    pub fn modify(&mut self, entries: &[Ace], is_dir: bool) -> Result<(), AclError> {
        let before = self.clone();
        self.modify_unchecked(entries, is_dir)?;
        // The limit holds for the merged ACL, not only for the entries of one request.
        if self.access.len() > MAX_ENTRIES || self.default.len() > MAX_ENTRIES {
            let (access, default) = (self.access.len(), self.default.len());
            *self = before;
            return Err(AclError(format!(
                "at most {MAX_ENTRIES} access and {MAX_ENTRIES} default entries are allowed \
                 (the merged ACL would have {access} access and {default} default entries)"
            )));
        }
        Ok(())
    }

    fn modify_unchecked(&mut self, entries: &[Ace], is_dir: bool) -> Result<(), AclError> {
        let mask_given = |d: bool| {
            entries
                .iter()
                .any(|a| a.kind == Kind::Mask && a.default == d)
        };
        for e in entries {
            if e.default && !is_dir {
                continue;
            }
            let list = if e.default {
                &mut self.default
            } else {
                &mut self.access
            };
            match list.iter_mut().find(|a| a.same_slot(e)) {
                Some(a) => a.perms = e.perms,
                None => list.push(e.clone()),
            }
        }
        let access_base = self.access.clone();
        for (d, list) in [(false, &mut self.access), (true, &mut self.default)] {
            if list.is_empty() {
                continue;
            }
            if !mask_given(d) && list.iter().any(Ace::named) {
                list.retain(|a| a.kind != Kind::Mask);
            }
            if d {
                for k in [Kind::User, Kind::Group, Kind::Other] {
                    if !list.iter().any(|a| a.kind == k && a.id.is_empty()) {
                        list.push(base(true, k, self_base(&access_base, k)));
                    }
                }
            }
            normalize(list, d);
        }
        Ok(())
    }

    /// `remove`: deletes named entries (and default entries); unnamed access entries stay.
    pub fn remove(&mut self, entries: &[Ace]) -> Result<(), AclError> {
        for e in entries {
            if !e.default && e.id.is_empty() {
                return Err(AclError(format!(
                    "the {}:: entry cannot be removed",
                    e.kind.word()
                )));
            }
        }
        self.access
            .retain(|a| !entries.iter().any(|e| e.same_slot(a)));
        self.default
            .retain(|a| !entries.iter().any(|e| e.same_slot(a)));
        if !self.access.iter().any(Ace::named) {
            self.access.retain(|a| a.kind != Kind::Mask);
        }
        if !self.default.iter().any(Ace::named)
            && self
                .default
                .iter()
                .all(|a| a.kind == Kind::Mask || a.id.is_empty())
            && self.default.len() <= 1
        {
            self.default.clear();
        }
        Ok(())
    }

    /// The ACL a new child gets from this (parent) directory's default ACL, if any.
    pub fn inherit(&self, owner: &str, group: &str, is_dir: bool) -> Option<PathAcl> {
        if self.default.is_empty() {
            return None;
        }
        let access: Vec<Ace> = self
            .default
            .iter()
            .map(|a| Ace {
                default: false,
                ..a.clone()
            })
            .collect();
        Some(PathAcl {
            owner: owner.into(),
            group: group.into(),
            access,
            default: if is_dir {
                self.default.clone()
            } else {
                Vec::new()
            },
        })
    }
}

fn self_base(access: &[Ace], k: Kind) -> u8 {
    access
        .iter()
        .find(|a| a.kind == k && a.id.is_empty())
        .map(|a| a.perms)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

    #[test]
    fn grammar() {
        let ok = format!("user::rwx,user:{OID}:r-x,group::r-x,mask::r-x,other::---,default:user::rwx,default:user:{OID}:rwx");
        let v = parse(&ok, Mode::WithPerms).unwrap();
        assert_eq!(v.len(), 7);
        assert!(v[5].default);
        for bad in [
            "",
            "user::rwx,",
            "user:rwx",
            "owner::rwx",
            "user::rwz",
            "user::rw",
            "mask:8e3af657-a8ff-443c-a75c-2fe8c4bcb635:r--",
            "user:not-a-guid:r--",
            "user::rwx,user::r--",
            "default:user::rwx:extra",
        ] {
            assert!(parse(bad, Mode::WithPerms).is_err(), "{bad}");
        }
        assert_eq!(
            parse(&format!("user:{OID},default:user:{OID}"), Mode::Remove)
                .unwrap()
                .len(),
            2
        );
        let many: Vec<String> = (0..33)
            .map(|i| format!("user:{}:r--", crate::util::guid_from(&i.to_string())))
            .collect();
        assert!(parse(&many.join(","), Mode::WithPerms).is_err());
    }

    /// Requests that each fit the limit but together pass it are refused on the merged ACL,
    /// and the ACL is left as it was.
    #[test]
    fn the_limit_holds_for_the_merged_acl() {
        let mut a = PathAcl::from_mode("o", "g", 0o750);
        let batch = |from: usize| {
            let list: Vec<String> = (from..from + 20)
                .map(|i| format!("group:{}:r-x", crate::util::guid_from(&i.to_string())))
                .collect();
            parse(&list.join(","), Mode::WithPerms).unwrap()
        };
        a.modify(&batch(0), true).unwrap();
        let before = a.clone();
        let err = a.modify(&batch(100), true).unwrap_err();
        assert!(err.0.contains("merged ACL would have"), "{err:?}");
        assert_eq!(a, before, "unchanged after a refused modify");
    }

    #[test]
    fn set_modify_remove_and_permissions() {
        let mut a = PathAcl::from_mode("o", "g", 0o750);
        assert_eq!(a.permissions(), "rwxr-x---");
        assert_eq!(
            a.to_header(&|s| s.to_string()),
            "user::rwx,group::r-x,other::---"
        );
        assert!(a
            .set(&parse("user::rwx", Mode::WithPerms).unwrap(), true)
            .is_err());
        a.modify(
            &parse(&format!("user:{OID}:rw-"), Mode::WithPerms).unwrap(),
            true,
        )
        .unwrap();
        assert_eq!(
            a.to_header(&|s| s.to_string()),
            format!("user::rwx,user:{OID}:rw-,group::r-x,mask::rwx,other::---")
        );
        assert_eq!(a.permissions(), "rwxrwx---+");
        a.modify(
            &parse(&format!("default:user:{OID}:r-x"), Mode::WithPerms).unwrap(),
            true,
        )
        .unwrap();
        assert_eq!(a.default.len(), 5, "{:?}", a.default);
        let child = a.inherit("c", "g", false).unwrap();
        assert!(child.default.is_empty());
        assert!(child.access.iter().any(|x| x.id == OID && x.perms == 5));
        a.remove(&parse(&format!("user:{OID},default:user:{OID}"), Mode::Remove).unwrap())
            .unwrap();
        assert_eq!(a.to_header(&|s| s.to_string()).matches(OID).count(), 0);
        assert!(a.remove(&parse("user::", Mode::Remove).unwrap()).is_err());
        a.chmod("0700").unwrap();
        assert_eq!(a.permissions().trim_end_matches('+'), "rwx------");
        a.chmod("rwxr-x--x").unwrap();
        assert_eq!(a.permissions().trim_end_matches('+'), "rwxr-x--x");
        assert!(a.chmod("rwx").is_err());
        assert!(a.chmod("07a0").is_err());
        assert!(a.chmod("!!!").is_err());
        assert!(a.chmod("rwxr-x---é").is_err());
        assert!(a.chmod("rwxr-xé-").is_err());
        a.chmod("1750").unwrap();
        assert_eq!(a.permissions().trim_end_matches('+'), "rwxr-x---");
        a.set(
            &parse(
                "user::rwx,group::r--,other::---,default:user::rwx",
                Mode::WithPerms,
            )
            .unwrap(),
            true,
        )
        .unwrap();
        assert_eq!(a.default.len(), 3);
        let mut f = PathAcl::from_mode("o", "g", 0o640);
        f.set(
            &parse(
                "user::rw-,group::r--,other::---,default:user::rwx",
                Mode::WithPerms,
            )
            .unwrap(),
            false,
        )
        .unwrap();
        assert!(f.default.is_empty());
    }
}
