//! A detached container's log, as docker's json-file driver writes it: one
//! JSON object per line, `{"log":"text\n","stream":"stdout","time":"…"}`.
//! Each line goes out in one write(2) on an O_APPEND file, so a reader
//! never sees half a line except the last one while it is written, and a
//! torn last line (a full disk, a crash) is skipped by the reader.

use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::path::Path;

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub log: String,
    pub stream: String,
    pub time: String,
}

/// Appends a stream's output to the log, line by line.
pub struct Writer {
    file: std::fs::File,
    /// Per stream, the text after the last newline.
    pending: [Vec<u8>; 2],
    /// Lines that could not be written (a full disk): dropped, counted.
    pub dropped: u64,
    /// Why the first line was dropped.
    pub error: Option<String>,
}

impl Writer {
    pub fn open(path: &Path) -> io::Result<Writer> {
        use std::os::unix::fs::OpenOptionsExt;
        // A container's output is root's alone, as its record is.
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        Ok(Writer {
            file,
            pending: [Vec::new(), Vec::new()],
            dropped: 0,
            error: None,
        })
    }

    /// Output of stream 0 (stdout) or 1 (stderr).
    pub fn write(&mut self, stream: usize, data: &[u8], now: i128) {
        self.pending[stream].extend_from_slice(data);
        while let Some(i) = self.pending[stream].iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending[stream].drain(..=i).collect();
            self.emit(stream, &line, now);
        }
        // docker splits lines longer than 16 KiB.
        while self.pending[stream].len() >= 16 * 1024 {
            let line: Vec<u8> = self.pending[stream].drain(..16 * 1024).collect();
            self.emit(stream, &line, now);
        }
    }

    /// Writes out text left without a final newline.
    pub fn flush(&mut self, now: i128) {
        for stream in 0..2 {
            if !self.pending[stream].is_empty() {
                let line = std::mem::take(&mut self.pending[stream]);
                self.emit(stream, &line, now);
            }
        }
    }

    fn emit(&mut self, stream: usize, line: &[u8], now: i128) {
        let e = Entry {
            log: String::from_utf8_lossy(line).to_string(),
            stream: if stream == 0 { "stdout" } else { "stderr" }.into(),
            time: crate::util::time::rfc3339(now),
        };
        let mut text = serde_json::to_vec(&e).unwrap_or_default();
        text.push(b'\n');
        if self.error.is_some() {
            self.dropped += 1;
            return;
        }
        if let Err(err) = self.file.write_all(&text) {
            self.dropped += 1;
            self.error = Some(err.to_string());
        }
    }
}

/// Whole entries of `data`, and how many bytes they take (a reader that
/// follows a log parses from there next time).
pub fn parse(data: &[u8]) -> (Vec<Entry>, usize) {
    let mut out = Vec::new();
    let mut used = 0;
    for chunk in data.split_inclusive(|b| *b == b'\n') {
        if chunk.last() != Some(&b'\n') {
            break;
        }
        used += chunk.len();
        if let Ok(e) = serde_json::from_slice::<Entry>(chunk) {
            out.push(e);
        }
    }
    (out, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_kept_per_stream_and_read_back() {
        let dir = std::env::temp_dir().join(format!("strata-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c-json.log");
        let mut w = Writer::open(&path).unwrap();
        w.write(0, b"one\ntw", 1);
        w.write(1, b"err\n", 2);
        w.write(0, b"o\n", 3);
        w.write(0, b"no newline", 4);
        w.flush(5);
        let got: Vec<(String, String)> = parse(&std::fs::read(&path).unwrap())
            .0
            .into_iter()
            .map(|e| (e.stream, e.log))
            .collect();
        assert_eq!(
            got,
            [
                ("stdout".to_string(), "one\n".to_string()),
                ("stderr".into(), "err\n".into()),
                ("stdout".into(), "two\n".into()),
                ("stdout".into(), "no newline".into()),
            ]
        );
        // A torn last line is not an entry.
        let mut data = std::fs::read(&path).unwrap();
        data.extend_from_slice(b"{\"log\":\"tor");
        let (entries, used) = parse(&data);
        assert_eq!(entries.len(), 4);
        assert_eq!(used, data.len() - 11);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
