//! Streaming reader of real key traces, for replaying them as a workload.
//!
//! A trace is a file of keys: one per line, or one column of a CSV file
//! with a header row. Files that start with the gzip magic bytes or whose
//! name ends in `.gz` are decompressed on the fly. Keys are read a chunk at
//! a time into a [`TextColumn`] (the raw bytes, for real systems'
//! partitioners) and a value column (for the generic strategies), so
//! memory use does not grow with the file.
//!
//! A key's value is given by [`key_value`]: a key written as a plain
//! non-negative decimal integer is that integer, so range partitioning and
//! sequences see the order of numeric ids; any other key is its XXH64
//! hash ([`hash_bytes`]).
//!
//! Malformed input is an [`Error::Trace`] naming the file and line: an
//! empty key, a CSV row with the wrong number of fields, a CSV key that is
//! not UTF-8, a missing CSV column, or a corrupt gzip stream.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::batch::{TextColumn, hash_bytes};
use crate::error::{Error, Result};

/// The first two bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The value a generic strategy sees for a string key: the integer itself
/// when the key is a canonical non-negative decimal that fits a u64 (no
/// sign, no leading zero except `0` itself), otherwise `hash_bytes(key)`.
/// `shardbench route` uses the same rule, so it agrees with a replay.
pub fn key_value(key: &[u8]) -> u64 {
    parse_canonical_u64(key).unwrap_or_else(|| hash_bytes(key))
}

/// The integer spelt by `key`, when it is a canonical decimal u64.
fn parse_canonical_u64(key: &[u8]) -> Option<u64> {
    let canonical = match key {
        [] => false,
        [b'0'] => true,
        [b'0', ..] => false,
        _ => key.len() <= 20 && key.iter().all(u8::is_ascii_digit),
    };
    if !canonical {
        return None;
    }
    key.iter().try_fold(0u64, |v, &d| {
        v.checked_mul(10)?.checked_add((d - b'0') as u64)
    })
}

/// Where keys come from.
enum Source {
    /// One key per line.
    Lines(Box<dyn BufRead + Send>),
    /// One column of a CSV file.
    Csv {
        reader: csv::Reader<Box<dyn BufRead + Send>>,
        column: usize,
        name: String,
        record: csv::ByteRecord,
    },
}

/// A streaming reader of trace keys.
pub struct TraceReader {
    path: String,
    source: Source,
    /// 1-based number of the last line read.
    line: u64,
    buf: Vec<u8>,
}

impl TraceReader {
    /// Opens `path`; with `column`, reads that column of a CSV file whose
    /// first row is the header.
    pub fn open(path: &Path, column: Option<&str>) -> Result<Self> {
        let shown = path.display().to_string();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut raw = BufReader::new(file);
        let head = raw.fill_buf().map_err(|e| Error::io(path, e))?;
        let gzip = head.starts_with(&GZIP_MAGIC)
            || path
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("gz"));
        let input: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::new(MultiGzDecoder::new(raw)))
        } else {
            Box::new(raw)
        };

        let source = match column {
            None => Source::Lines(input),
            Some(name) => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(input);
                let headers = reader.byte_headers().map_err(|e| csv_error(&shown, 1, e))?;
                let Some(index) = headers.iter().position(|h| h == name.as_bytes()) else {
                    let names: Vec<String> = headers
                        .iter()
                        .map(|h| String::from_utf8_lossy(h).into_owned())
                        .collect();
                    let message = format!(
                        "no column `{name}` in the CSV header; its columns are: {}",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    );
                    return Err(trace_error(&shown, 1, message));
                };
                Source::Csv {
                    reader,
                    column: index,
                    name: name.to_string(),
                    record: csv::ByteRecord::new(),
                }
            }
        };
        let line = if column.is_some() { 1 } else { 0 };
        Ok(Self {
            path: shown,
            source,
            line,
            buf: Vec::new(),
        })
    }

    /// The file, as given to [`TraceReader::open`].
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Appends up to `max` keys: their bytes to `text` and their
    /// [`key_value`] to `values`. Returns how many were appended; 0 means
    /// the trace is exhausted (or `max` is 0).
    pub fn next_chunk(
        &mut self,
        max: usize,
        text: &mut TextColumn,
        values: &mut Vec<u64>,
    ) -> Result<usize> {
        let mut read = 0;
        while read < max {
            let Some(line) = self.next_key()? else {
                break;
            };
            let key = self.key_bytes();
            if key.is_empty() {
                return Err(trace_error(
                    &self.path,
                    line,
                    "empty key; every record needs a key",
                ));
            }
            if text.bytes.len() + key.len() > u32::MAX as usize {
                let message = "a chunk's keys exceed 4 GiB; read smaller chunks";
                return Err(trace_error(&self.path, line, message));
            }
            text.push(key);
            values.push(key_value(key));
            read += 1;
        }
        Ok(read)
    }

    /// Reads the next key into place; returns its line, or None at the end.
    fn next_key(&mut self) -> Result<Option<u64>> {
        match &mut self.source {
            Source::Lines(input) => {
                self.buf.clear();
                let next = self.line + 1;
                let n = input
                    .read_until(b'\n', &mut self.buf)
                    .map_err(|e| trace_error(&self.path, next, format!("cannot read: {e}")))?;
                if n == 0 {
                    return Ok(None);
                }
                self.line = next;
                if self.buf.last() == Some(&b'\n') {
                    self.buf.pop();
                    if self.buf.last() == Some(&b'\r') {
                        self.buf.pop();
                    }
                }
                Ok(Some(next))
            }
            Source::Csv {
                reader,
                column,
                name,
                record,
            } => {
                let more = reader
                    .read_byte_record(record)
                    .map_err(|e| csv_error(&self.path, self.line + 1, e))?;
                if !more {
                    return Ok(None);
                }
                let line = record.position().map_or(self.line + 1, |p| p.line());
                self.line = line;
                let field = record.get(*column).unwrap_or_default();
                if std::str::from_utf8(field).is_err() {
                    let message = format!("the key in column `{name}` is not valid UTF-8");
                    return Err(trace_error(&self.path, line, message));
                }
                Ok(Some(line))
            }
        }
    }

    /// The bytes of the key [`TraceReader::next_key`] just read.
    fn key_bytes(&self) -> &[u8] {
        match &self.source {
            Source::Lines(_) => &self.buf,
            Source::Csv { column, record, .. } => record.get(*column).unwrap_or_default(),
        }
    }
}

fn trace_error(path: &str, line: u64, message: impl Into<String>) -> Error {
    Error::Trace {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

/// A CSV error at the line it reports, or at `fallback`.
fn csv_error(path: &str, fallback: u64, e: csv::Error) -> Error {
    let line = e.position().map_or(fallback, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this CSV row has {len} fields but the header has {expected_len}"),
        csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        _ => e.to_string(),
    };
    trace_error(path, line, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    /// Reads a whole (small) trace.
    fn read_all(path: &Path, column: Option<&str>) -> Result<(TextColumn, Vec<u64>)> {
        let mut reader = TraceReader::open(path, column)?;
        let (mut text, mut values) = (TextColumn::default(), Vec::new());
        while reader.next_chunk(4096, &mut text, &mut values)? > 0 {}
        Ok((text, values))
    }

    fn file_with(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    fn keys(text: &TextColumn) -> Vec<&[u8]> {
        (0..text.ends.len()).map(|i| text.get(i)).collect()
    }

    fn trace_line(err: Error) -> (u64, String) {
        match err {
            Error::Trace { line, message, .. } => (line, message),
            other => panic!("expected a trace error, got {other}"),
        }
    }

    #[test]
    fn plain_lines_are_keys_with_crlf_and_final_newline_handled() {
        let (_dir, path) = file_with("keys.txt", b"alice\r\nbob\n\xff\x80raw\ncarol");
        let (text, values) = read_all(&path, None).unwrap();
        assert_eq!(
            keys(&text),
            [&b"alice"[..], b"bob", b"\xff\x80raw", b"carol"]
        );
        assert_eq!(values[0], hash_bytes(b"alice"));
        assert_eq!(values[2], hash_bytes(b"\xff\x80raw"));
    }

    #[test]
    fn canonical_integers_keep_their_value() {
        let (_dir, path) = file_with(
            "ids.txt",
            b"0\n42\n18446744073709551615\n007\n-3\n18446744073709551616\n",
        );
        let (_, values) = read_all(&path, None).unwrap();
        assert_eq!(values[..3], [0, 42, u64::MAX]);
        assert_eq!(values[3], hash_bytes(b"007"));
        assert_eq!(values[4], hash_bytes(b"-3"));
        assert_eq!(values[5], hash_bytes(b"18446744073709551616"));
    }

    #[test]
    fn chunks_stop_at_max_and_resume() {
        let body: String = (0..10).map(|i| format!("k{i}\n")).collect();
        let (_dir, path) = file_with("keys", body.as_bytes());
        let mut reader = TraceReader::open(&path, None).unwrap();
        let (mut text, mut values) = (TextColumn::default(), Vec::new());
        let mut sizes = Vec::new();
        loop {
            text.clear();
            values.clear();
            let n = reader.next_chunk(4, &mut text, &mut values).unwrap();
            sizes.push(n);
            if n == 0 {
                break;
            }
            assert_eq!(text.ends.len(), values.len());
        }
        assert_eq!(sizes, [4, 4, 2, 0]);
        assert_eq!(reader.next_chunk(4, &mut text, &mut values).unwrap(), 0);
    }

    #[test]
    fn gzip_is_detected_by_magic_bytes_and_by_extension() {
        let packed = gzip(b"x\ny\n");
        let (_d1, by_magic) = file_with("trace.bin", &packed);
        let (_d2, by_name) = file_with("trace.txt.gz", &packed);
        for path in [by_magic, by_name] {
            let (text, _) = read_all(&path, None).unwrap();
            assert_eq!(keys(&text), [&b"x"[..], b"y"]);
        }
    }

    #[test]
    fn corrupt_gzip_is_a_trace_error() {
        let mut packed = gzip(b"aaaa\nbbbb\n");
        let mid = packed.len() / 2;
        packed.truncate(mid);
        let (_dir, path) = file_with("cut.gz", &packed);
        let err = read_all(&path, None).unwrap_err();
        assert!(matches!(err, Error::Trace { .. }), "{err}");
    }

    #[test]
    fn empty_line_error_names_its_line() {
        let (_dir, path) = file_with("gap.txt", b"a\nb\n\nc\n");
        let (line, message) = trace_line(read_all(&path, None).unwrap_err());
        assert_eq!(line, 3);
        assert!(message.contains("empty key"), "{message}");
    }

    #[test]
    fn csv_column_is_read_by_header_name() {
        let body = "ts,user,action\n1,alice,login\n2,\"b,o\"\"b\",view\n3,日本,view\n";
        let (_dir, path) = file_with("events.csv", body.as_bytes());
        let (text, values) = read_all(&path, Some("user")).unwrap();
        assert_eq!(keys(&text), [&b"alice"[..], b"b,o\"b", "日本".as_bytes()]);
        assert_eq!(values[0], hash_bytes(b"alice"));
        let (_, ts) = read_all(&path, Some("ts")).unwrap();
        assert_eq!(ts, [1, 2, 3]);
    }

    #[test]
    fn gzipped_csv_is_read() {
        let (_dir, path) = file_with("events.csv.gz", &gzip(b"id\n7\n8\n"));
        let (_, values) = read_all(&path, Some("id")).unwrap();
        assert_eq!(values, [7, 8]);
    }

    #[test]
    fn missing_csv_column_lists_the_header() {
        let (_dir, path) = file_with("events.csv", b"ts,user\n1,a\n");
        let err = TraceReader::open(&path, Some("uid")).err().unwrap();
        let (line, message) = trace_line(err);
        assert_eq!(line, 1);
        assert!(
            message.contains("`uid`") && message.contains("ts, user"),
            "{message}"
        );
    }

    #[test]
    fn invalid_utf8_in_csv_names_its_line() {
        let (_dir, path) = file_with("bad.csv", b"user\nok\nb\xffd\n");
        let (line, message) = trace_line(read_all(&path, Some("user")).unwrap_err());
        assert_eq!(line, 3);
        assert!(message.contains("UTF-8"), "{message}");
    }

    #[test]
    fn short_csv_row_names_its_line() {
        let (_dir, path) = file_with("short.csv", b"a,b\n1,2\n3\n");
        let (line, message) = trace_line(read_all(&path, Some("b")).unwrap_err());
        assert_eq!(line, 3);
        assert!(message.contains("1 fields"), "{message}");
    }

    #[test]
    fn empty_csv_key_names_its_line() {
        let (_dir, path) = file_with("blank.csv", b"a,b\n1,x\n2,\n");
        let (line, _) = trace_line(read_all(&path, Some("b")).unwrap_err());
        assert_eq!(line, 3);
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let err = TraceReader::open(Path::new("/nonexistent/trace.txt"), None)
            .err()
            .unwrap();
        assert!(matches!(err, Error::Io { .. }));
        assert!(err.to_string().contains("/nonexistent/trace.txt"));
    }

    #[test]
    fn empty_file_has_no_keys() {
        let (_dir, path) = file_with("empty.txt", b"");
        let (text, values) = read_all(&path, None).unwrap();
        assert!(text.ends.is_empty() && values.is_empty());
    }
}
