//! POSIX ACLs of ADLS Gen2: `[default:]user|group|mask|other:[id]:rwx`, comma-separated,
//! with merge helpers ("set these principals' entries, keep the others", "remove these
//! principals' entries").

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Entries per scope (access or default) the service accepts, at most.
pub const MAX_ENTRIES_PER_SCOPE: usize = 32;

/// Why an ACL string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AclError {
    #[error("empty ACL entry")]
    Empty,
    #[error("ACL entry {0:?}: expected [default:]type:[id]:perms")]
    Shape(String),
    #[error("ACL entry {0:?}: unknown type (user, group, mask, other)")]
    Type(String),
    #[error("ACL entry {0:?}: permissions must look like rwx, r-x or ---")]
    Perms(String),
    #[error("ACL entry {0:?}: mask and other entries take no id")]
    IdNotAllowed(String),
    #[error("{0} has more than {MAX_ENTRIES_PER_SCOPE} entries")]
    TooMany(&'static str),
}

/// Entry type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AclType {
    User,
    Group,
    Mask,
    Other,
}

impl AclType {
    fn as_str(self) -> &'static str {
        match self {
            AclType::User => "user",
            AclType::Group => "group",
            AclType::Mask => "mask",
            AclType::Other => "other",
        }
    }
    fn parse(s: &str) -> Option<AclType> {
        Some(match s {
            "user" => AclType::User,
            "group" => AclType::Group,
            "mask" => AclType::Mask,
            "other" => AclType::Other,
            _ => return None,
        })
    }
}

/// `rwx` bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
}

impl Perms {
    pub const NONE: Perms = Perms {
        read: false,
        write: false,
        execute: false,
    };
    pub const ALL: Perms = Perms {
        read: true,
        write: true,
        execute: true,
    };

    pub fn parse(s: &str) -> Option<Perms> {
        let b = s.as_bytes();
        if b.len() != 3 {
            return None;
        }
        let bit = |c: u8, want: u8| match c {
            x if x == want => Some(true),
            b'-' => Some(false),
            _ => None,
        };
        Some(Perms {
            read: bit(b[0], b'r')?,
            write: bit(b[1], b'w')?,
            execute: bit(b[2], b'x')?,
        })
    }
}

impl fmt::Display for Perms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            if self.read { 'r' } else { '-' },
            if self.write { 'w' } else { '-' },
            if self.execute { 'x' } else { '-' }
        )
    }
}

/// What identifies an entry: scope, type, id (empty id = the owning user/group).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AclKey {
    pub default: bool,
    pub kind: AclType,
    pub id: String,
}

impl AclKey {
    pub fn user(id: impl Into<String>) -> Self {
        AclKey {
            default: false,
            kind: AclType::User,
            id: id.into(),
        }
    }
    pub fn group(id: impl Into<String>) -> Self {
        AclKey {
            default: false,
            kind: AclType::Group,
            id: id.into(),
        }
    }
    /// The same key in the default scope.
    pub fn as_default(mut self) -> Self {
        self.default = true;
        self
    }
}

impl fmt::Display for AclKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.default {
            f.write_str("default:")?;
        }
        write!(f, "{}:{}", self.kind.as_str(), self.id)
    }
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AclEntry {
    pub key: AclKey,
    pub perms: Perms,
}

impl AclEntry {
    pub fn new(default: bool, kind: AclType, id: impl Into<String>, perms: Perms) -> Self {
        AclEntry {
            key: AclKey {
                default,
                kind,
                id: id.into(),
            },
            perms,
        }
    }
}

impl fmt::Display for AclEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.key, self.perms)
    }
}

impl FromStr for AclEntry {
    type Err = AclError;
    fn from_str(s: &str) -> Result<Self, AclError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(AclError::Empty);
        }
        let parts: Vec<&str> = s.split(':').collect();
        let (default, rest) = match parts.first() {
            Some(&"default") => (true, &parts[1..]),
            _ => (false, &parts[..]),
        };
        let [kind, id, perms] = rest else {
            return Err(AclError::Shape(s.into()));
        };
        let kind = AclType::parse(kind).ok_or_else(|| AclError::Type(s.into()))?;
        let perms = Perms::parse(perms).ok_or_else(|| AclError::Perms(s.into()))?;
        if matches!(kind, AclType::Mask | AclType::Other) && !id.is_empty() {
            return Err(AclError::IdNotAllowed(s.into()));
        }
        Ok(AclEntry::new(default, kind, *id, perms))
    }
}

/// An ACL: entries in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Acl {
    pub entries: Vec<AclEntry>,
}

impl FromStr for Acl {
    type Err = AclError;
    fn from_str(s: &str) -> Result<Self, AclError> {
        if s.trim().is_empty() {
            return Ok(Acl::default());
        }
        let entries = s
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<AclEntry>, AclError>>()?;
        Ok(Acl { entries })
    }
}

impl fmt::Display for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl Acl {
    pub fn new(entries: Vec<AclEntry>) -> Self {
        Acl { entries }
    }

    pub fn get(&self, key: &AclKey) -> Option<&AclEntry> {
        self.entries.iter().find(|e| &e.key == key)
    }

    /// Set these entries (same scope, type and id: permissions replaced; else appended);
    /// every other entry is kept.
    pub fn set_entries(&mut self, entries: &[AclEntry]) {
        for new in entries {
            match self.entries.iter_mut().find(|e| e.key == new.key) {
                Some(e) => e.perms = new.perms,
                None => self.entries.push(new.clone()),
            }
        }
    }

    /// Remove the entries with these keys (permissions ignored); others are kept.
    pub fn remove_keys(&mut self, keys: &[AclKey]) {
        self.entries.retain(|e| !keys.contains(&e.key));
    }

    /// Remove every entry (access and default, user and group) naming these principals.
    pub fn remove_principals(&mut self, ids: &[&str]) {
        self.entries
            .retain(|e| e.key.id.is_empty() || !ids.contains(&e.key.id.as_str()));
    }

    /// The ACL with the given entries set, as a new value.
    pub fn merged(&self, entries: &[AclEntry]) -> Acl {
        let mut a = self.clone();
        a.set_entries(entries);
        a
    }

    /// The service's limit: 32 entries per scope.
    pub fn check_limits(&self) -> Result<(), AclError> {
        let access = self.entries.iter().filter(|e| !e.key.default).count();
        let default = self.entries.len() - access;
        if access > MAX_ENTRIES_PER_SCOPE {
            return Err(AclError::TooMany("the access ACL"));
        }
        if default > MAX_ENTRIES_PER_SCOPE {
            return Err(AclError::TooMany("the default ACL"));
        }
        Ok(())
    }
}

/// The `x-ms-acl` value for a recursive `remove`: keys without permissions.
pub fn remove_spec(keys: &[AclKey]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "user::rwx,user:1111:r-x,group::r-x,mask::r-x,other::---,default:user::rwx,default:user:1111:rwx,default:group::r-x,default:mask::rwx,default:other::---";

    #[test]
    fn parse_format_round_trip() {
        let acl: Acl = SAMPLE.parse().expect("parse");
        assert_eq!(acl.entries.len(), 10);
        assert_eq!(acl.to_string(), SAMPLE);
        let e = &acl.entries[6];
        assert!(e.key.default);
        assert_eq!(e.key.kind, AclType::User);
        assert_eq!(e.key.id, "1111");
        assert_eq!(e.perms, Perms::ALL);
        assert_eq!("".parse::<Acl>().expect("empty"), Acl::default());
    }

    #[test]
    fn parse_errors_are_typed() {
        assert!(matches!("user:x".parse::<Acl>(), Err(AclError::Shape(_))));
        assert!(matches!(
            "owner::rwx".parse::<Acl>(),
            Err(AclError::Type(_))
        ));
        assert!(matches!(
            "user::rwz".parse::<Acl>(),
            Err(AclError::Perms(_))
        ));
        assert!(matches!("user::rw".parse::<Acl>(), Err(AclError::Perms(_))));
        assert!(matches!(
            "mask:1:rwx".parse::<Acl>(),
            Err(AclError::IdNotAllowed(_))
        ));
        assert!(matches!("user::rwx,".parse::<Acl>(), Err(AclError::Empty)));
    }

    #[test]
    fn set_entries_keeps_others_and_replaces_matching() {
        let mut acl: Acl = SAMPLE.parse().expect("parse");
        acl.set_entries(&[
            AclEntry::new(false, AclType::User, "1111", Perms::ALL),
            AclEntry::new(
                false,
                AclType::Group,
                "2222",
                Perms::parse("r-x").expect("p"),
            ),
        ]);
        assert_eq!(acl.entries.len(), 11);
        assert_eq!(
            acl.get(&AclKey::user("1111")).map(|e| e.perms),
            Some(Perms::ALL)
        );
        assert!(acl.get(&AclKey::group("2222")).is_some());
        // The default-scope entry of 1111 is a different key and untouched.
        assert_eq!(
            acl.get(&AclKey::user("1111").as_default()).map(|e| e.perms),
            Some(Perms::ALL)
        );
        assert!(acl.to_string().starts_with("user::rwx,user:1111:rwx,"));
    }

    #[test]
    fn remove_principals_and_keys() {
        let mut acl: Acl = SAMPLE.parse().expect("parse");
        acl.remove_principals(&["1111"]);
        assert_eq!(acl.entries.len(), 8);
        assert!(acl.entries.iter().all(|e| e.key.id.is_empty()));
        let mut acl: Acl = SAMPLE.parse().expect("parse");
        acl.remove_keys(&[AclKey::user("1111").as_default()]);
        assert_eq!(acl.entries.len(), 9);
        assert!(acl.get(&AclKey::user("1111")).is_some());
        assert_eq!(
            remove_spec(&[AclKey::user("1111"), AclKey::group("2").as_default()]),
            "user:1111,default:group:2"
        );
    }

    #[test]
    fn limits() {
        let entries = (0..33)
            .map(|i| AclEntry::new(false, AclType::User, format!("{i}"), Perms::NONE))
            .collect();
        assert!(Acl::new(entries).check_limits().is_err());
        let acl: Acl = SAMPLE.parse().expect("parse");
        assert!(acl.check_limits().is_ok());
    }
}
