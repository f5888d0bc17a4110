//! Files people upload (homework's attachments, work handed in, feedback): which kinds are
//! taken — judged by their content, never by their name — and what a file's name may be.

/// A kind of file Préau takes, with the content type it is served as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// OpenDocument (text, spreadsheet, presentation, drawing), told apart by its `mimetype`.
    OpenDocument(&'static str),
    /// Office Open XML (docx, xlsx, pptx).
    OfficeOpenXml(&'static str),
    Text,
    Mp3,
    Ogg,
    Mp4,
}

impl FileKind {
    /// The content type it is served with (never one a browser would run as a page).
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::OpenDocument(t) | FileKind::OfficeOpenXml(t) => t,
            FileKind::Text => "text/plain; charset=utf-8",
            FileKind::Mp3 => "audio/mpeg",
            FileKind::Ogg => "audio/ogg",
            FileKind::Mp4 => "video/mp4",
        }
    }

    /// The file name extensions this kind is known by; the first is added to a name that has
    /// none of them, so the name never claims another kind than the content.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::OpenDocument(t) => match t {
                "application/vnd.oasis.opendocument.text" => &["odt"],
                "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
                "application/vnd.oasis.opendocument.presentation" => &["odp"],
                _ => &["odg"],
            },
            FileKind::OfficeOpenXml(t) => {
                if t.ends_with("document") {
                    &["docx"]
                } else if t.ends_with("sheet") {
                    &["xlsx"]
                } else {
                    &["pptx"]
                }
            }
            FileKind::Text => &["txt", "md", "csv"],
            FileKind::Mp3 => &["mp3"],
            FileKind::Ogg => &["ogg", "oga", "opus"],
            FileKind::Mp4 => &["mp4", "m4a"],
        }
    }

    /// The name a file of this kind is kept under: `raw` cleaned ([`clean_name`]), with this
    /// kind's extension added when it has none of them ("copie.hta" of text becomes
    /// "copie.hta.txt"). `None` when nothing usable is left of the name.
    pub fn name(self, raw: &str) -> Option<String> {
        let name = clean_name(raw)?;
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        if ext.is_some_and(|e| self.extensions().contains(&e.as_str())) {
            return Some(name);
        }
        let add = self.extensions()[0];
        let mut stem: String = name.chars().take(MAX_NAME - add.len() - 1).collect();
        stem = stem.trim_end().to_owned();
        Some(format!("{stem}.{add}"))
    }

    /// Judges a file by its first bytes (`head`, at least 4 KiB when the file is that long) and
    /// its length: `None` for anything not on the list — executables, HTML and SVG (which a
    /// browser would run), archives, unknown formats.
    pub fn sniff(head: &[u8]) -> Option<FileKind> {
        let starts = |magic: &[u8]| head.starts_with(magic);
        if starts(b"%PDF-") {
            return Some(FileKind::Pdf);
        }
        if starts(b"\x89PNG\r\n\x1a\n") {
            return Some(FileKind::Png);
        }
        if starts(b"\xff\xd8\xff") {
            return Some(FileKind::Jpeg);
        }
        if starts(b"GIF87a") || starts(b"GIF89a") {
            return Some(FileKind::Gif);
        }
        if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
            return Some(FileKind::Webp);
        }
        if starts(b"OggS") {
            return Some(FileKind::Ogg);
        }
        // ID3 tags, or an MPEG-1/2 layer III frame header.
        if starts(b"ID3") || (head.len() >= 2 && head[0] == 0xff && matches!(head[1], 0xfb | 0xfa | 0xf3 | 0xf2 | 0xe3 | 0xe2)) {
            return Some(FileKind::Mp3);
        }
        if head.get(4..8) == Some(b"ftyp") {
            return Some(FileKind::Mp4);
        }
        if starts(b"PK\x03\x04") {
            return office(head);
        }
        text(head).then_some(FileKind::Text)
    }
}

/// An OpenDocument file stores its type, uncompressed, as its first entry `mimetype`; an Office
/// Open XML file starts with `[Content_Types].xml` and names its main part early on.
fn office(head: &[u8]) -> Option<FileKind> {
    // A ZIP local header: name length at 26, extra length at 28, name at 30.
    let name_len = u16::from_le_bytes([*head.get(26)?, *head.get(27)?]) as usize;
    let extra_len = u16::from_le_bytes([*head.get(28)?, *head.get(29)?]) as usize;
    let name = head.get(30..30 + name_len)?;
    if name == b"mimetype" {
        let data = head.get(30 + name_len + extra_len..)?;
        for t in [
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.spreadsheet",
            "application/vnd.oasis.opendocument.presentation",
            "application/vnd.oasis.opendocument.graphics",
        ] {
            if data.starts_with(t.as_bytes()) && !data[t.len()..].starts_with(b"-") {
                return Some(FileKind::OpenDocument(t));
            }
        }
        return None;
    }
    // The main part's name, whole, in a local header of the first entries.
    if name != b"[Content_Types].xml" {
        return None;
    }
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if contains(b"word/document.xml") {
        Some(FileKind::OfficeOpenXml("application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    } else if contains(b"xl/workbook.xml") {
        Some(FileKind::OfficeOpenXml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    } else if contains(b"ppt/presentation.xml") {
        Some(FileKind::OfficeOpenXml("application/vnd.openxmlformats-officedocument.presentationml.presentation"))
    } else {
        None
    }
}

/// Plain text: UTF-8 (a character cut at the end of `head` aside), no NUL nor other control
/// character but tab and line breaks, and nothing that looks like markup a browser would run.
fn text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return false,
    };
    // Markup a browser or a mail reader would run, anywhere in what was read.
    let lower = valid.to_ascii_lowercase();
    let markup = ["<!doctype", "<html", "<svg", "<?xml", "<script", "<head", "<body", "<iframe", "<object", "<embed", "javascript:"]
        .iter()
        .any(|m| lower.contains(m));
    !markup && valid.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
}

/// Invisible characters that change how a name reads: bidirectional overrides (which make
/// "copie\u{202e}txt.hta" show as "copieath.txt"), zero-width ones, the soft hyphen.
fn is_format(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206f}' | '\u{feff}')
}

/// Longest file name kept, in characters.
pub const MAX_NAME: usize = 120;

/// The name a file is kept and offered under: its last path component, without control
/// characters or characters that Windows refuses, trimmed of dots and spaces, shortened to
/// [`MAX_NAME`] characters (its extension kept). `None` when nothing usable is left.
pub fn clean_name(raw: &str) -> Option<String> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c) && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if cleaned.is_empty() {
        return None;
    }
    if cleaned.chars().count() <= MAX_NAME {
        return Some(cleaned.to_owned());
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if e.chars().count() <= 10 => (s, Some(e)),
        _ => (cleaned, None),
    };
    let room = MAX_NAME - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    Some(match ext {
        Some(e) => format!("{}.{e}", stem.trim_end()),
        None => stem.trim_end().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_entry(name: &str, data: &[u8]) -> Vec<u8> {
        let mut z = b"PK\x03\x04".to_vec();
        z.extend_from_slice(&[0; 22]);
        z.extend_from_slice(&(name.len() as u16).to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        z.extend_from_slice(name.as_bytes());
        z.extend_from_slice(data);
        z
    }

    #[test]
    fn files_are_judged_by_their_content_not_their_name() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(b"\xff\xd8\xff\xe0JFIF"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(FileKind::sniff(b"OggS\0\x02"), Some(FileKind::Ogg));
        assert_eq!(FileKind::sniff(b"ID3\x04\0"), Some(FileKind::Mp3));
        assert_eq!(FileKind::sniff(b"\0\0\0\x18ftypmp42"), Some(FileKind::Mp4));
        assert_eq!(FileKind::sniff("Rédaction : « Mon été »\r\n\tfin".as_bytes()), Some(FileKind::Text));
        let odt = zip_entry("mimetype", b"application/vnd.oasis.opendocument.textPK...");
        assert_eq!(FileKind::sniff(&odt).map(FileKind::content_type), Some("application/vnd.oasis.opendocument.text"));
        let ott = zip_entry("mimetype", b"application/vnd.oasis.opendocument.text-templatePK");
        assert_eq!(FileKind::sniff(&ott), None, "a template is another type");
        let docx = zip_entry("[Content_Types].xml", b"<Types>...</Types>PK\x03\x04....word/document.xml");
        assert!(matches!(FileKind::sniff(&docx), Some(FileKind::OfficeOpenXml(t)) if t.ends_with("wordprocessingml.document")));
        assert_eq!(FileKind::sniff(&zip_entry("[Content_Types].xml", b"....password/x")), None, "a directory that ends in word/");
        assert_eq!(FileKind::sniff(&zip_entry("evil/word/document.xml", b"")), None);
        // Refused: pages and scripts a browser would run, programs, archives, binary junk.
        for refused in [
            &b"<!DOCTYPE html><script>alert(1)</script>"[..],
            b"  <svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            b"<?xml version='1.0'?><svg/>",
            b"MZ\x90\0\x03\0\0\0",
            b"\x7fELF\x02\x01",
            b"#!/bin/sh\n\x00rm",
            &zip_entry("payload.exe", b"MZ"),
            b"Bonjour <script>alert(1)</script>",
            b"<!-- -->\n<svg onload=alert(1)>",
            b"\xff\xe0 not an mp3",
            b"\0\0\0\0",
            b"",
        ] {
            assert_eq!(FileKind::sniff(refused), None, "{:?}", String::from_utf8_lossy(refused));
        }
        // A UTF-8 character cut by the 4 KiB window is still text.
        let mut cut = "é".repeat(10).into_bytes();
        cut.pop();
        assert_eq!(FileKind::sniff(&cut), Some(FileKind::Text));
    }

    #[test]
    fn names_lose_their_path_control_characters_and_excess() {
        assert_eq!(clean_name("Exercice 3.pdf").as_deref(), Some("Exercice 3.pdf"));
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("C:\\Users\\élève\\devoir.odt").as_deref(), Some("devoir.odt"));
        assert_eq!(clean_name("a\u{0}b\r\nc<d>e?.txt").as_deref(), Some("abcde.txt"));
        assert_eq!(clean_name("copie\u{202e}txt.hta").as_deref(), Some("copietxt.hta"), "no bidi override");
        assert_eq!(clean_name("de\u{200b}voir.pdf").as_deref(), Some("devoir.pdf"));
        // The name never claims another kind than the content.
        assert_eq!(FileKind::Text.name("copie.hta").as_deref(), Some("copie.hta.txt"));
        assert_eq!(FileKind::Pdf.name("Devoir.PDF").as_deref(), Some("Devoir.PDF"));
        assert_eq!(FileKind::Jpeg.name("photo").as_deref(), Some("photo.jpg"));
        assert_eq!(FileKind::Pdf.name(&"é".repeat(300)).map(|n| n.chars().count()), Some(MAX_NAME));
        assert_eq!(clean_name("  ..mon devoir.  ").as_deref(), Some("mon devoir"));
        for nothing in ["", "..", "/", "a/", " . ", "\u{7}"] {
            assert_eq!(clean_name(nothing), None, "{nothing:?}");
        }
        let long = format!("{}.pdf", "é".repeat(300));
        let kept = clean_name(&long).unwrap();
        assert_eq!(kept.chars().count(), MAX_NAME);
        assert!(kept.ends_with("é.pdf"));
    }
}
