//! A file decoded a piece at a time, so that a million-line import holds a
//! megabyte of its text instead of the whole file (twice when it is re-encoded).
//!
//! Two passes over the source: the first decides the encoding exactly as
//! [`decode`] does for a whole file (it counts evidence over every byte) and
//! counts line breaks for progress; the second decodes piece by piece.

use super::decode::{file_error, looks_binary, refuse_by_signature, sniff_utf16};
use crate::validation::ValidationErrors;
use std::io::{Read, Seek, SeekFrom};

/// Bytes read at a time.
pub const PIECE_BYTES: usize = 1 << 20;

/// How the bytes of a file become text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// UTF-8; `skip` bytes of byte-order mark at the start.
    Utf8 { skip: usize },
    /// A legacy or UTF-16 encoding, decoded by `encoding_rs`; `skip` BOM bytes.
    Other {
        encoding: &'static encoding_rs::Encoding,
        skip: usize,
    },
}

/// What the first pass found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Survey {
    encoding: Encoding,
    /// The name shown to the user: `UTF-8`, `UTF-8 BOM`, `windows-1252`, `UTF-16LE`, `UTF-16BE`.
    pub encoding_name: &'static str,
    /// Line feeds in the file: an upper bound of its data lines, for progress.
    pub line_breaks: usize,
}

fn unreadable() -> ValidationErrors {
    file_error("file", "import.unreadable")
}

/// Reads until `buf` holds `PIECE_BYTES` or the source ends; false at its end.
fn read_piece(reader: &mut impl Read, buf: &mut Vec<u8>) -> Result<bool, ValidationErrors> {
    buf.clear();
    let mut limited = reader.by_ref().take(PIECE_BYTES as u64);
    limited.read_to_end(buf).map_err(|_| unreadable())?;
    Ok(!buf.is_empty())
}

/// Splits UTF-8 bytes into valid text (`Some`) and invalid sequences (`None`);
/// an incomplete sequence at the end is returned to be completed by the next
/// piece (unless `last`).
fn utf8_piece<'a>(mut data: &'a [u8], last: bool, mut each: impl FnMut(Option<&'a str>)) -> &'a [u8] {
    loop {
        match std::str::from_utf8(data) {
            Ok(s) => {
                each(Some(s));
                return &[];
            }
            Err(e) => {
                let (good, rest) = data.split_at(e.valid_up_to());
                each(Some(std::str::from_utf8(good).unwrap_or_default()));
                match e.error_len() {
                    Some(n) => {
                        each(None);
                        data = rest.get(n..).unwrap_or_default();
                    }
                    None if last => {
                        each(None);
                        return &[];
                    }
                    None => return rest,
                }
            }
        }
    }
}

/// The first pass: refuses what is not CSV text, decides the encoding, counts lines.
pub fn survey(reader: &mut (impl Read + Seek)) -> Result<Survey, ValidationErrors> {
    reader.seek(SeekFrom::Start(0)).map_err(|_| unreadable())?;
    let mut buf = Vec::with_capacity(PIECE_BYTES);
    if !read_piece(reader, &mut buf)? {
        return Err(file_error("file", "import.empty"));
    }
    refuse_by_signature(&buf)?;
    let utf16 = if buf.starts_with(b"\xFF\xFE") {
        Some((encoding_rs::UTF_16LE, 2))
    } else if buf.starts_with(b"\xFE\xFF") {
        Some((encoding_rs::UTF_16BE, 2))
    } else if buf.starts_with(b"\xEF\xBB\xBF") {
        None
    } else {
        sniff_utf16(&buf).map(|e| (e, 0))
    };
    let bom = if utf16.is_none() && buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut decoder = utf16.map(|(e, _)| e.new_decoder_without_bom_handling());
    let mut scratch = String::new();
    let (mut line_breaks, mut all_blank) = (0usize, true);
    let (mut valid_multibyte, mut bad) = (0usize, 0usize);
    let mut carry: Vec<u8> = Vec::new();
    let mut skip = utf16.map_or(bom, |(_, s)| s);
    loop {
        // A piece shorter than asked is the end of the file.
        let last = buf.len() < PIECE_BYTES;
        let piece = buf.get(skip..).unwrap_or_default();
        skip = 0;
        line_breaks += piece.iter().filter(|b| **b == b'\n').count();
        all_blank = all_blank && piece.iter().all(u8::is_ascii_whitespace);
        if let Some(d) = decoder.as_mut() {
            scratch.clear();
            scratch.reserve(d.max_utf8_buffer_length_without_replacement(piece.len()).unwrap_or(0));
            let (result, _) = d.decode_to_string_without_replacement(piece, &mut scratch, last);
            if matches!(result, encoding_rs::DecoderResult::Malformed(..)) {
                return Err(file_error("file", "import.encoding"));
            }
        } else {
            let mut data = std::mem::take(&mut carry);
            data.extend_from_slice(piece);
            let rest = utf8_piece(&data, last, |s| match s {
                Some(s) => valid_multibyte += s.chars().filter(|c| !c.is_ascii()).count(),
                None => bad += 1,
            });
            carry = rest.to_vec();
        }
        if last {
            break;
        }
        read_piece(reader, &mut buf)?;
    }
    if all_blank {
        return Err(file_error("file", "import.empty"));
    }
    let (encoding, encoding_name) = match utf16 {
        Some((e, skip)) => (Encoding::Other { encoding: e, skip }, e.name()),
        None if bom > 0 => (Encoding::Utf8 { skip: bom }, "UTF-8 BOM"),
        // Windows-1252 accents are invalid UTF-8 almost every time, while a UTF-8
        // file with one pasted Windows line still has many valid accented letters.
        None if bad == 0 || valid_multibyte > bad => (Encoding::Utf8 { skip: 0 }, "UTF-8"),
        None => (
            Encoding::Other {
                encoding: encoding_rs::WINDOWS_1252,
                skip: 0,
            },
            "windows-1252",
        ),
    };
    reader.seek(SeekFrom::Start(0)).map_err(|_| unreadable())?;
    Ok(Survey {
        encoding,
        encoding_name,
        line_breaks,
    })
}

/// A source with its [`survey`], rewound for the second pass.
pub fn surveyed<R: Read + Seek>(mut source: R) -> Result<(R, Survey), ValidationErrors> {
    let survey = survey(&mut source)?;
    Ok((source, survey))
}

/// The second pass: a file's text, a piece at a time, decoded as [`survey`] decided.
pub struct TextPieces<R> {
    reader: R,
    encoding: Encoding,
    decoder: Option<encoding_rs::Decoder>,
    carry: Vec<u8>,
    bytes: Vec<u8>,
    started: bool,
    ended: bool,
}

impl<R: Read> TextPieces<R> {
    /// Starts decoding `reader`, rewound by [`survey`].
    pub fn new(reader: R, survey: &Survey) -> Self {
        let decoder = match survey.encoding {
            Encoding::Other { encoding, .. } => Some(encoding.new_decoder_without_bom_handling()),
            Encoding::Utf8 { .. } => None,
        };
        TextPieces {
            reader,
            encoding: survey.encoding,
            decoder,
            carry: Vec::new(),
            bytes: Vec::with_capacity(PIECE_BYTES),
            started: false,
            ended: false,
        }
    }

    /// Appends the next piece of text to `text`, the offsets of undecodable bytes
    /// replaced by U+FFFD to `bad`; false once the file is done.
    pub fn next_into(&mut self, text: &mut String, bad: &mut Vec<usize>) -> Result<bool, ValidationErrors> {
        if self.ended {
            return Ok(false);
        }
        let more = read_piece(&mut self.reader, &mut self.bytes)?;
        // A piece shorter than asked is the end of the file: no second read needed.
        let last = !more || self.bytes.len() < PIECE_BYTES;
        let skip = match (self.started, self.encoding) {
            (false, Encoding::Utf8 { skip } | Encoding::Other { skip, .. }) => skip,
            _ => 0,
        };
        let starts_at = text.len();
        let piece = self.bytes.get(skip..).unwrap_or_default();
        match self.decoder.as_mut() {
            Some(d) => {
                text.reserve(d.max_utf8_buffer_length(piece.len()).unwrap_or(piece.len() * 3));
                let (_, _, _) = d.decode_to_string(piece, text, last);
            }
            None => {
                let mut data = std::mem::take(&mut self.carry);
                data.extend_from_slice(piece);
                let rest = utf8_piece(&data, last, |s| match s {
                    Some(s) => text.push_str(s),
                    None => {
                        bad.push(text.len());
                        text.push('\u{fffd}');
                    }
                });
                self.carry = rest.to_vec();
            }
        }
        if !self.started {
            self.started = true;
            // A second byte-order mark, as some exports write, is not data.
            if text[starts_at..].starts_with('\u{feff}') {
                text.replace_range(starts_at..starts_at + 3, "");
                for o in bad.iter_mut().filter(|o| **o >= starts_at) {
                    *o = o.saturating_sub(3);
                }
            }
            if looks_binary(&text[starts_at..]) {
                return Err(file_error("file", "import.binary"));
            }
        }
        self.ended = last;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::*;
    use std::io::Cursor;

    fn whole(bytes: &[u8]) -> (String, &'static str, Vec<usize>) {
        let mut c = Cursor::new(bytes.to_vec());
        let s = survey(&mut c).unwrap();
        let mut pieces = TextPieces::new(c, &s);
        let (mut text, mut bad) = (String::new(), Vec::new());
        while pieces.next_into(&mut text, &mut bad).unwrap() {}
        (text, s.encoding_name, bad)
    }

    #[test]
    fn decodes_as_the_whole_file_decoder_does() {
        let cases: Vec<Vec<u8>> = vec![
            "nom;ville\nSociété;Orléans\n".as_bytes().to_vec(),
            [&b"\xEF\xBB\xBF"[..], "nom;ville\nÉté;Sète\n".as_bytes()].concat(),
            b"nom;ville\nSoci\xe9t\xe9;Orl\xe9ans\n".to_vec(),
            [&b"nom\nA\xe9\n"[..], "Été\nÉcole\nÇa\n".as_bytes()].concat(),
            [
                &b"\xFF\xFE"[..],
                &"a;b\né;c\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<_>>(),
            ]
            .concat(),
            "a;b\né;c\n".encode_utf16().flat_map(u16::to_le_bytes).collect(),
        ];
        for bytes in cases {
            let d = decode(&bytes).unwrap();
            let (text, encoding, bad) = whole(&bytes);
            assert_eq!((text.as_str(), encoding, bad), (&*d.text, d.encoding, d.bad_offsets));
        }
    }

    #[test]
    fn a_character_cut_between_two_pieces_is_kept_whole() {
        // 'é' is two bytes in UTF-8: put its first byte at the end of a piece.
        let mut bytes = vec![b'a'; PIECE_BYTES - 1];
        bytes.extend_from_slice("é\n".as_bytes());
        let (text, encoding, bad) = whole(&bytes);
        assert_eq!(encoding, "UTF-8");
        assert!(bad.is_empty());
        assert!(text.ends_with("aé\n"));
        // The same in Windows-1252 (one byte) and UTF-16 (two).
        let mut latin = vec![b'a'; PIECE_BYTES * 2 + 5];
        latin.extend_from_slice(b"\xe9t\xe9\n");
        let (text, encoding, _) = whole(&latin);
        assert_eq!((encoding, text.chars().count()), ("windows-1252", PIECE_BYTES * 2 + 9));
        assert!(text.ends_with("été\n"));
        // A file of exactly two pieces ends with an empty read.
        let mut exact = vec![b'a'; 2 * PIECE_BYTES - 3];
        exact.extend_from_slice("é\n".as_bytes());
        let (text, encoding, bad) = whole(&exact);
        assert_eq!((encoding, bad.len(), text.len()), ("UTF-8", 0, exact.len()));
    }

    #[test]
    fn refuses_what_is_not_text() {
        let code = |b: &[u8]| survey(&mut Cursor::new(b.to_vec())).unwrap_err().0[0].code.clone();
        assert_eq!(code(b""), "import.empty");
        assert_eq!(code(b" \n\n"), "import.empty");
        assert_eq!(code(b"PK\x03\x04rest"), "import.spreadsheet");
        assert_eq!(code(b"%PDF-1.7"), "import.binary");
        let mut broken: Vec<u8> = "a;b\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        broken.splice(0..0, [0xFF, 0xFE]);
        broken.extend_from_slice(&[0x00, 0xDC, 0x41, 0x00]);
        assert_eq!(code(&broken), "import.encoding");
    }

    #[test]
    fn counts_line_breaks() {
        let s = survey(&mut Cursor::new(b"a\nb\nc".to_vec())).unwrap();
        assert_eq!(s.line_breaks, 2);
    }
}
