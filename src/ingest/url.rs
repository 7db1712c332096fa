//! What a source URL tells about an article: the trailing `Original url:` /
//! `Source:` line of a text (the URL may be hard-wrapped over several
//! lines), the outlet (from the host) and a date in the path (`/2025/08/18/`).

use crate::model::PartialDate;

/// How far from the end of the body the source line is looked for.
const TAIL: usize = 2048;
/// Markers that introduce the source URL, lower case.
const MARKERS: [&str; 5] = [
    "original url:",
    "source url:",
    "original link:",
    "source:",
    "url:",
];

/// The URL of a trailing `Original url: …` / `Source: …` block: the marker,
/// then the URL on the same line or the next, possibly wrapped over several
/// lines, and nothing else after it but blank lines.
pub fn trailing_url(body: &str) -> Option<String> {
    let mut start = body.len().saturating_sub(TAIL);
    while !body.is_char_boundary(start) {
        start += 1;
    }
    let lines: Vec<&str> = body[start..]
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .skip_while(|l| l.is_empty())
        .collect();
    // `lines` is reversed: the URL pieces, then the marker line.
    for (i, l) in lines.iter().enumerate().take(6) {
        if l.is_empty() {
            return None;
        }
        let lower_prefix: String = l.chars().take(16).flat_map(char::to_lowercase).collect();
        let marker = MARKERS.iter().find(|m| lower_prefix.starts_with(*m));
        if let Some(m) = marker {
            let first = l[m.len()..].trim();
            let mut url = first.to_string();
            for piece in lines[..i].iter().rev() {
                url.push_str(piece);
            }
            let ok = (url.starts_with("http://") || url.starts_with("https://"))
                && !url.contains(char::is_whitespace)
                && !first.contains(char::is_whitespace);
            return ok.then_some(url);
        }
        if l.contains(char::is_whitespace) {
            return None;
        }
    }
    None
}

/// The host of a URL, lower-cased, without `www.`.
pub fn host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let h = &rest[..end];
    let h = h.rsplit_once('@').map_or(h, |(_, h)| h);
    let h = h.split(':').next().unwrap_or(h).to_ascii_lowercase();
    let h = h.strip_prefix("www.").map(str::to_string).unwrap_or(h);
    (!h.is_empty()).then_some(h)
}

/// Well-known hosts and how outlets call themselves.
const OUTLETS: [(&str, &str); 42] = [
    ("themoscowtimes.com", "The Moscow Times"),
    ("nytimes.com", "The New York Times"),
    ("washingtonpost.com", "The Washington Post"),
    ("theguardian.com", "The Guardian"),
    ("ft.com", "Financial Times"),
    ("wsj.com", "The Wall Street Journal"),
    ("economist.com", "The Economist"),
    ("bbc.co.uk", "BBC"),
    ("bbc.com", "BBC"),
    ("reuters.com", "Reuters"),
    ("apnews.com", "Associated Press"),
    ("bloomberg.com", "Bloomberg"),
    ("foreignaffairs.com", "Foreign Affairs"),
    ("foreignpolicy.com", "Foreign Policy"),
    ("politico.com", "Politico"),
    ("politico.eu", "Politico Europe"),
    ("theatlantic.com", "The Atlantic"),
    ("newyorker.com", "The New Yorker"),
    ("kyivindependent.com", "The Kyiv Independent"),
    ("kyivpost.com", "Kyiv Post"),
    ("pravda.com.ua", "Ukrainska Pravda"),
    ("meduza.io", "Meduza"),
    ("novayagazeta.eu", "Novaya Gazeta Europe"),
    ("rferl.org", "Radio Free Europe/Radio Liberty"),
    ("aljazeera.com", "Al Jazeera"),
    ("cnn.com", "CNN"),
    ("foxnews.com", "Fox News"),
    ("spiegel.de", "Der Spiegel"),
    ("lemonde.fr", "Le Monde"),
    ("project-syndicate.org", "Project Syndicate"),
    ("atlanticcouncil.org", "Atlantic Council"),
    ("carnegieendowment.org", "Carnegie Endowment"),
    ("brookings.edu", "Brookings"),
    ("rusi.org", "RUSI"),
    ("kremlin.ru", "Kremlin"),
    ("whitehouse.gov", "The White House"),
    ("bidenwhitehouse.archives.gov", "The White House"),
    ("state.gov", "U.S. Department of State"),
    ("un.org", "United Nations"),
    ("youtube.com", "YouTube"),
    ("youtu.be", "YouTube"),
    ("presidency.ucsb.edu", "The American Presidency Project"),
];

/// Second-level labels under which the registrable name is one label further left.
const SECOND_LEVEL: [&str; 8] = ["co", "com", "org", "net", "gov", "ac", "edu", "news"];

/// The outlet a URL belongs to: a known name, else the host's main label
/// title-cased (`kyivindependent.com` → `Kyivindependent`).
pub fn outlet(url: &str) -> Option<String> {
    let url = unarchived(url);
    let h = host(url)?;
    for (domain, name) in OUTLETS {
        if h == domain || (h.ends_with(domain) && h[..h.len() - domain.len()].ends_with('.')) {
            return Some(name.to_string());
        }
    }
    let labels: Vec<&str> = h.split('.').filter(|l| !l.is_empty()).collect();
    let main = match labels.as_slice() {
        [] => return None,
        [one] => *one,
        [.., a, sld, tld] if tld.len() == 2 && SECOND_LEVEL.contains(sld) => *a,
        [.., a, _] => *a,
    };
    if main.bytes().all(|b| b.is_ascii_digit()) {
        return None; // an IP address
    }
    let mut c = main.chars();
    let first = c.next()?;
    Some(first.to_uppercase().chain(c).collect())
}

/// The original URL inside a Wayback Machine link
/// (`https://web.archive.org/web/2025…/https://www.state.gov/…`).
fn unarchived(url: &str) -> &str {
    if host(url).as_deref() == Some("web.archive.org") {
        if let Some(i) = url.get(8..).and_then(|r| r.find("/http")).map(|i| i + 9) {
            return &url[i..];
        }
    }
    url
}

/// A date in the URL path: `/2025/08/18/`, `/2025/08/` (year alone is not
/// trusted: it is too often an id).
pub fn date(url: &str) -> Option<PartialDate> {
    let url = unarchived(url);
    let path = url.split_once("://").map_or(url, |(_, r)| r);
    let path = &path[path.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    let num = |s: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    for i in 1..segs.len() {
        let (Some(y), Some(m)) = (num(segs[i - 1], 4..=4), num(segs[i], 1..=2)) else {
            continue;
        };
        if !(1900..=2100).contains(&y) || !(1..=12).contains(&m) {
            continue;
        }
        let day = segs
            .get(i + 1)
            .and_then(|s| num(s, 1..=2))
            .filter(|d| (1..=31).contains(d));
        let text = match day {
            Some(d) => format!("{y}-{m:02}-{d:02}"),
            None => format!("{y}-{m:02}"),
        };
        return super::date::parse(&text);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_trailing_url() {
        let body = "Text of the op-ed.\n\nOriginal url:\nhttps://www.themoscowtimes.com/2025/08/18/ukraine-needs-s\neriously-a90264\n\n\n";
        let u = trailing_url(body).unwrap();
        assert_eq!(
            u,
            "https://www.themoscowtimes.com/2025/08/18/ukraine-needs-seriously-a90264"
        );
        assert_eq!(outlet(&u).as_deref(), Some("The Moscow Times"));
        assert_eq!(
            date(&u).map(|d| d.to_string()).as_deref(),
            Some("2025-08-18")
        );
        let same_line = "Body.\r\nSource: https://example.org/a/b\r\n";
        assert_eq!(
            trailing_url(same_line).as_deref(),
            Some("https://example.org/a/b")
        );
    }

    #[test]
    fn no_url_when_not_trailing() {
        assert_eq!(
            trailing_url("Source: https://x.org/a\nMore prose after it.\n"),
            None
        );
        assert_eq!(trailing_url("Source: the ministry of truth\n"), None);
        assert_eq!(trailing_url("Just text."), None);
        assert_eq!(trailing_url(""), None);
    }

    #[test]
    fn outlets_from_hosts() {
        assert_eq!(
            outlet("https://en.kremlin.ru/events/1").as_deref(),
            Some("Kremlin")
        );
        assert_eq!(
            outlet("http://www.kyivindependent.com/x").as_deref(),
            Some("The Kyiv Independent")
        );
        assert_eq!(
            outlet("https://news.example.co.uk/x").as_deref(),
            Some("Example")
        );
        assert_eq!(
            outlet("https://blog.warontherocks.com:443/x").as_deref(),
            Some("Warontherocks")
        );
        assert_eq!(outlet("https://notft.com/").as_deref(), Some("Notft"));
        assert_eq!(outlet("not a url"), None);
        assert_eq!(
            outlet("https://web.archive.org/web/20250403171930/https://2021-2025.state.gov/x/")
                .as_deref(),
            Some("U.S. Department of State")
        );
        assert_eq!(outlet("https://youtu.be/abc").as_deref(), Some("YouTube"));
        assert_eq!(outlet("http://127.0.0.1/x"), None);
    }

    #[test]
    fn dates_in_paths() {
        let d = |u: &str| date(u).map(|d| d.to_string());
        assert_eq!(
            d("https://x.gov/briefing-room/2024/10/03/remarks/").as_deref(),
            Some("2024-10-03")
        );
        assert_eq!(d("https://x.com/2022/05/story").as_deref(), Some("2022-05"));
        assert_eq!(d("https://x.com/news/68700"), None);
        assert_eq!(d("https://x.com/2022/13/01"), None);
    }
}
