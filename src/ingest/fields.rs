//! Metadata fields (front matter, sidecar columns, record fields) mapped to
//! the well-known [`Article`] slots; everything else goes to `meta`.
//!
//! Co-author rule: an author field holding a list (`[a, b]`, a JSON array,
//! a Python-style `['a', 'b']` string, or names separated by `;`) gives
//! several `authors`, kept in order. Claim and article tables show the joint
//! byline `"a; b"` ([`Article::commentator`]); the aggregates count the
//! article in full for EACH co-author (`aggregate::GroupBy::keys`). A comma
//! does not separate authors (`Lee, Ann` is one name).

use super::frontmatter::{split_list, Value};
use super::IngestOptions;
use crate::model::Article;

/// A well-known field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Text,
    Author,
    Date,
    Title,
    Url,
    Outlet,
    Id,
}

/// Default names (case-insensitive), in order of preference.
pub fn defaults(role: Role) -> &'static [&'static str] {
    match role {
        Role::Text => &["text", "body", "content", "sentence", "transcript"],
        Role::Author => &[
            "author",
            "authors",
            "byline",
            "speaker",
            "speakers",
            "commentator",
            "writer",
        ],
        Role::Date => &["date", "published", "pubdate", "published_at", "datetime"],
        Role::Title => &["title", "headline"],
        Role::Url => &["url", "link", "source_url"],
        Role::Outlet => &["outlet", "publication", "source", "site"],
        Role::Id => &["id"],
    }
}

/// The name given on the command line for a role, if any.
pub fn explicit(role: Role, o: &IngestOptions) -> Option<&str> {
    match role {
        Role::Text => o.text_field.as_deref(),
        Role::Author => o.author_field.as_deref(),
        Role::Date => o.date_field.as_deref(),
        Role::Title => o.title_field.as_deref(),
        Role::Id => o.id_field.as_deref(),
        Role::Url | Role::Outlet => None,
    }
}

/// Index of the field playing `role` among `names`: the explicit name
/// (exact, then case-insensitive) if given and present, else the first
/// default name present.
pub fn pick<S: AsRef<str>>(names: &[S], role: Role, o: &IngestOptions) -> Option<usize> {
    let find = |n: &str| {
        names.iter().position(|h| h.as_ref() == n).or_else(|| {
            names
                .iter()
                .position(|h| h.as_ref().trim().eq_ignore_ascii_case(n))
        })
    };
    if let Some(n) = explicit(role, o) {
        if let Some(i) = find(n) {
            return Some(i);
        }
    }
    defaults(role).iter().find_map(|d| find(d))
}

/// Split an author value into names (see the module doc for the co-author rule).
pub fn authors(v: &Value) -> Vec<String> {
    let items = match v {
        Value::List(l) => l.clone(),
        Value::Str(s) => {
            let t = s.trim();
            match t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                Some(inner) => split_list(inner, true).unwrap_or_else(|_| vec![inner.to_string()]),
                None => t.split(';').map(str::to_string).collect(),
            }
        }
    };
    items
        .into_iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

/// Fill `a`'s author/date/title/url/outlet from `fields` and put the rest
/// in `meta`. A date with a time of day, or one that does not parse, also
/// stays in `meta` under its own name (the latter with a warning).
pub fn apply(a: &mut Article, fields: Vec<(String, Value)>, o: &IngestOptions) {
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    let roles = [
        Role::Author,
        Role::Date,
        Role::Title,
        Role::Url,
        Role::Outlet,
    ];
    let picked: Vec<Option<usize>> = roles.iter().map(|&r| pick(&names, r, o)).collect();
    let mut keep_in_meta = vec![true; fields.len()];
    for (role, idx) in roles.iter().zip(&picked) {
        let Some(i) = *idx else { continue };
        let (name, v) = &fields[i];
        let s = v.to_meta();
        match role {
            Role::Author => {
                a.authors = authors(v);
                keep_in_meta[i] = false;
            }
            Role::Date => {
                let raw = s.trim();
                if super::date::is_missing(raw) {
                    keep_in_meta[i] = false;
                } else if let Some(d) = super::date::parse(raw) {
                    a.date = Some(d);
                    // Keep the original when it said more than the date.
                    keep_in_meta[i] = raw.len() > d.to_string().len();
                } else {
                    a.warnings
                        .push(format!("unparseable date in field '{name}': {raw:?}"));
                }
            }
            Role::Title | Role::Url | Role::Outlet => {
                let t = s.trim();
                if !t.is_empty() {
                    let slot = match role {
                        Role::Title => &mut a.title,
                        Role::Url => &mut a.url,
                        _ => &mut a.outlet,
                    };
                    *slot = Some(t.to_string());
                }
                keep_in_meta[i] = false;
            }
            Role::Text | Role::Id => {}
        }
    }
    for ((k, v), keep) in fields.into_iter().zip(keep_in_meta) {
        if keep {
            a.meta.insert(k, v.to_meta());
        }
    }
}

/// Add or replace a field (later sources override earlier ones).
pub fn set(fields: &mut Vec<(String, Value)>, k: String, v: Value) {
    match fields.iter_mut().find(|(n, _)| *n == k) {
        Some(slot) => slot.1 = v,
        None => fields.push((k, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn authors_from_lists_and_strings() {
        assert_eq!(
            authors(&s("['Володимир Зеленський', 'Денис Шмигаль']")),
            ["Володимир Зеленський", "Денис Шмигаль"]
        );
        assert_eq!(authors(&s("Lee, Ann")), ["Lee, Ann"]);
        assert_eq!(
            authors(&s("A. Smith; B. Jones ;")),
            ["A. Smith", "B. Jones"]
        );
        assert_eq!(authors(&Value::List(vec!["X".into(), " ".into()])), ["X"]);
        assert!(authors(&s("  ")).is_empty());
    }

    #[test]
    fn well_known_fields_and_meta() {
        let mut a = Article::default();
        let o = IngestOptions::default();
        apply(
            &mut a,
            vec![
                ("Headline".into(), s("Peace")),
                ("byline".into(), s("Ann")),
                ("date".into(), s("2024-10-04 10:36:54-04:00")),
                ("Link".into(), s("https://x.org/a")),
                ("tags".into(), Value::List(vec!["a".into()])),
            ],
            &o,
        );
        assert_eq!(a.title.as_deref(), Some("Peace"));
        assert_eq!(a.authors, ["Ann"]);
        assert_eq!(a.date.unwrap().to_string(), "2024-10-04");
        assert_eq!(a.url.as_deref(), Some("https://x.org/a"));
        assert_eq!(a.meta["date"], "2024-10-04 10:36:54-04:00");
        assert_eq!(a.meta["tags"], "[\"a\"]");
        assert!(!a.meta.contains_key("Headline"));
    }

    #[test]
    fn explicit_fields_win_and_bad_dates_warn() {
        let mut a = Article::default();
        let o = IngestOptions {
            author_field: Some("Name of Person Speaking".into()),
            date_field: Some("year".into()),
            ..Default::default()
        };
        apply(
            &mut a,
            vec![
                ("speaker".into(), s("not me")),
                ("Name of Person Speaking".into(), s("Lula da Silva")),
                ("Year".into(), s("2024")),
                ("date".into(), s("NA")),
            ],
            &o,
        );
        assert_eq!(a.authors, ["Lula da Silva"]);
        assert_eq!(a.date.unwrap().to_string(), "2024");
        assert_eq!(a.meta["speaker"], "not me");

        let mut b = Article::default();
        apply(
            &mut b,
            vec![("date".into(), s("someday")), ("pubdate".into(), s("NA"))],
            &IngestOptions::default(),
        );
        assert_eq!(b.date, None);
        assert!(b.warnings[0].contains("someday"));
        assert_eq!(b.meta["date"], "someday");
    }
}
