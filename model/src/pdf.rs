//! The smallest PDF a reader opens: pages of one size drawn with the
//! standard Courier fonts (no font to embed), text and filled rectangles.
//! Receipts and labels are drawn with it; `pdftotext` reads them back.

/// A PDF of `pages` (content streams), each `width` × `height` points,
/// with fonts `F1` Courier and `F2` Courier-Bold.
pub fn document(width: f32, height: f32, pages: &[String]) -> Vec<u8> {
    // 1 catalog, 2 pages, 3 and 4 the fonts, then a page and its content each.
    let n = pages.len().max(1);
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    let empty = [String::new()];
    for (i, content) in (if pages.is_empty() { &empty[..] } else { pages }).iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.1} {height:.1}] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes());
    out
}

/// A PDF string literal's body in WinAnsi (Latin-1 here): `(`, `)` and `\`
/// escaped, characters it cannot show as '?'.
pub fn string(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (' '..='~').contains(&c) => out.push(c),
            c if ('\u{a0}'..='\u{ff}').contains(&c) => out.push_str(&format!("\\{:03o}", c as u32)),
            _ => out.push('?'),
        }
    }
    out
}

/// One line of text at (`x`, `y`), bold or not, `size` points.
pub fn text(x: f32, y: f32, size: f32, bold: bool, line: &str) -> String {
    format!("BT /{} {size:.1} Tf {x:.2} {y:.2} Td ({}) Tj ET\n", if bold { "F2" } else { "F1" }, string(line))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_page_is_listed_and_the_offsets_point_at_their_objects() {
        let pdf = super::document(100.0, 50.0, &["BT ET\n".into(), "BT ET\n".into()]);
        let text = String::from_utf8_lossy(&pdf).to_string();
        assert!(text.contains("/Kids [5 0 R 7 0 R] /Count 2"));
        let xref = text.rfind("startxref\n").map(|i| &text[i + 10..]).and_then(|t| t.lines().next()).and_then(|n| n.parse::<usize>().ok());
        assert_eq!(xref.map(|x| &pdf[x..x + 4]), Some(&b"xref"[..]));
        let table = text.rfind("xref\n").map_or("", |i| &text[i..]);
        for (i, line) in table.lines().skip(3).take(8).enumerate() {
            let at: usize = line[..10].parse().unwrap_or(0);
            assert!(pdf[at..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
    }
}
