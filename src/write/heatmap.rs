//! `heatmap.svg`: the stance matrix as a picture. Plain SVG (generic font
//! family, no external resources), rows = row keys, columns = themes, a
//! diverging blue–white–red scale (ColorBrewer RdBu, readable with the
//! common colour-vision deficiencies), hatched grey for cells without a
//! stance, and a `<title>` tooltip with the full name and numbers per cell.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::aggregate::Group;
use crate::write::cells;

/// Longest row label drawn; longer names are cut with `…` (full name in the tooltip).
const MAX_LABEL_CHARS: usize = 28;
const CELL_W: usize = 96;

/// Escape text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// RdBu: −1 blue (#2166ac), 0 near-white (#f7f7f7), +1 red (#b2182b).
pub fn colour(v: f64) -> String {
    const NEG: [f64; 3] = [33.0, 102.0, 172.0];
    const MID: [f64; 3] = [247.0, 247.0, 247.0];
    const POS: [f64; 3] = [178.0, 24.0, 43.0];
    let v = v.clamp(-1.0, 1.0);
    let (to, t) = if v < 0.0 { (NEG, -v) } else { (POS, v) };
    let c: Vec<u8> = (0..3)
        .map(|i| (MID[i] + (to[i] - MID[i]) * t).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn truncate(s: &str) -> String {
    if s.chars().count() <= MAX_LABEL_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(MAX_LABEL_CHARS - 1).collect();
        t.push('…');
        t
    }
}

/// Render the heatmap of the per-key totals.
pub fn render(totals: &BTreeMap<&str, Group>, themes: &[String], key_label: &str) -> String {
    let n = totals.len().max(1);
    // Rows shrink as the list grows, but text stays legible.
    let row_h = (640 / n).clamp(18, 32);
    let font = (row_h as f64 * 0.5).clamp(10.0, 13.0);
    let longest = totals
        .keys()
        .map(|k| k.chars().count().min(MAX_LABEL_CHARS))
        .max()
        .unwrap_or(8)
        .max(key_label.len());
    let left = 16 + (longest as f64 * font * 0.6).ceil() as usize;
    let top = 56;
    let grid_w = CELL_W * themes.len();
    let legend_y = top + row_h * totals.len() + 24;
    let title = format!("Stance by {key_label} and theme");
    let note = "cell: mean of the non-zero claim stances (n = claims on the theme)";
    let text_w = |chars: usize| (chars as f64 * font * 0.62).ceil() as usize;
    let width = (left + grid_w.max(320) + 24)
        .max(16 + text_w(title.chars().count() + 2))
        .max(left + text_w(note.chars().count()) + 16);
    let height = legend_y + 72;

    let mut s = String::with_capacity(4096 + totals.len() * themes.len() * 256);
    let _ = writeln!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{font}">"##
    );
    s.push_str(
        r##"<defs><pattern id="empty" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e0e0e0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="2"/></pattern>
<linearGradient id="scale"><stop offset="0" stop-color="#2166ac"/><stop offset="0.5" stop-color="#f7f7f7"/><stop offset="1" stop-color="#b2182b"/></linearGradient></defs>
<rect width="100%" height="100%" fill="#ffffff"/>
"##,
    );
    let _ = writeln!(
        s,
        r##"<text x="8" y="20" font-size="{}" font-weight="bold">{}</text>"##,
        font + 1.0,
        xml_escape(&title)
    );
    for (j, t) in themes.iter().enumerate() {
        let x = left + j * CELL_W + CELL_W / 2;
        let _ = writeln!(
            s,
            r##"<text x="{x}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"##,
            top - 8,
            xml_escape(t)
        );
    }
    for (i, (key, g)) in totals.iter().enumerate() {
        let y = top + i * row_h;
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>"##,
            left - 8,
            y + row_h / 2 + (font / 3.0) as usize,
            xml_escape(key),
            xml_escape(&truncate(key))
        );
        for (j, (c, theme)) in g.themes.iter().zip(themes).enumerate() {
            let x = left + j * CELL_W;
            let stance = c.stance();
            let fill = stance.map(colour).unwrap_or_else(|| "url(#empty)".into());
            let tip = format!(
                "{} × {}: stance {}, {} theme claims (+{} −{} 0:{}) of {}",
                key,
                theme,
                stance.map(cells::number).unwrap_or_else(|| "none".into()),
                c.n_theme_claims,
                c.n_pro,
                c.n_con,
                c.n_neutral,
                g.n_claims
            );
            let _ = write!(
                s,
                r##"<g><title>{}</title><rect x="{x}" y="{y}" width="{CELL_W}" height="{row_h}" fill="{fill}" stroke="#ffffff"/>"##,
                xml_escape(&tip)
            );
            let label = match stance {
                Some(v) if v.abs() < 0.005 => format!("0.00 (n={})", c.n_theme_claims),
                Some(v) => format!("{:+.2} (n={})", v, c.n_theme_claims),
                None if c.n_theme_claims > 0 => format!("– (n={})", c.n_theme_claims),
                None => "–".to_string(),
            };
            let ink = match stance {
                Some(v) if v.abs() > 0.6 => "#ffffff",
                _ => "#000000",
            };
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" text-anchor="middle" fill="{ink}">{}</text></g>"##,
                x + CELL_W / 2,
                y + row_h / 2 + (font / 3.0) as usize,
                xml_escape(&label)
            );
        }
    }
    // Legend: the scale and the empty-cell swatch.
    let lx = left;
    let _ = writeln!(
        s,
        r##"<rect x="{lx}" y="{legend_y}" width="200" height="12" fill="url(#scale)" stroke="#808080"/>
<text x="{lx}" y="{}" text-anchor="start">−1 (con)</text>
<text x="{}" y="{}" text-anchor="middle">0</text>
<text x="{}" y="{}" text-anchor="end">+1 (pro)</text>
<rect x="{}" y="{legend_y}" width="16" height="12" fill="url(#empty)" stroke="#808080"/>
<text x="{}" y="{}">no stance</text>
<text x="{lx}" y="{}" fill="#404040">{note}</text>"##,
        legend_y + 28,
        lx + 100,
        legend_y + 28,
        lx + 200,
        legend_y + 28,
        lx + 220,
        lx + 240,
        legend_y + 10,
        legend_y + 52,
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Counts;

    #[test]
    fn escapes_and_colours() {
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(colour(-1.0), "#2166ac");
        assert_eq!(colour(0.0), "#f7f7f7");
        assert_eq!(colour(1.0), "#b2182b");
    }

    #[test]
    fn renders_names_escaped_and_empty_cells_hatched() {
        let mut totals = BTreeMap::new();
        let g = Group {
            n_articles: 1,
            n_claims: 4,
            themes: vec![
                Counts {
                    n_theme_claims: 2,
                    n_pro: 1,
                    n_con: 1,
                    n_neutral: 0,
                },
                Counts::default(),
            ],
            articles: vec![1, 1, 0, 0],
        };
        let long = "A <very> long name that goes on and on and on";
        totals.insert(long, g);
        let svg = render(
            &totals,
            &["territory".into(), "regime".into()],
            "commentator",
        );
        assert!(svg.contains("&lt;very&gt;"));
        assert!(!svg.contains("<very>"));
        assert!(svg.contains('…'));
        assert!(svg.contains("url(#empty)"));
        assert!(svg.contains(">0.00 (n=2)<"));
        assert!(svg.ends_with("</svg>\n"));
    }
}
