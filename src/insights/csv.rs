//! CSV files for spreadsheets: UTF-8 with a byte-order mark (so Excel reads accents), RFC 4180
//! quoting and CRLF line ends, and cells that a spreadsheet would run as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) prefixed with `'` so they stay text.

const BOM: &str = "\u{feff}";

/// One cell, safe for a spreadsheet and quoted when it must be.
pub fn cell(value: &str) -> String {
    let text = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() };
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// A whole file: the BOM, the header row, then the rows.
pub fn file(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from(BOM);
    let line = |cells: &mut dyn Iterator<Item = String>| cells.collect::<Vec<_>>().join(",") + "\r\n";
    out.push_str(&line(&mut header.iter().map(|h| cell(h))));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(|value| cell(value))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_would_run_as_a_formula_stays_text() {
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("+1 416 555 0123"), "'+1 416 555 0123");
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tTab"), "'\tTab");
        assert_eq!(cell("Plain name"), "Plain name");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted_as_rfc_4180_says() {
        assert_eq!(cell("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(cell("The \"Boss\""), "\"The \"\"Boss\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("Zoë Brontë"), "Zoë Brontë");
    }

    #[test]
    fn a_file_starts_with_a_bom_and_ends_each_row_with_crlf() {
        let csv = file(&["Name", "Tier"], [vec!["Doe, Jane".to_owned(), "VIP".to_owned()]]);
        assert_eq!(csv, "\u{feff}Name,Tier\r\n\"Doe, Jane\",VIP\r\n");
    }
}
