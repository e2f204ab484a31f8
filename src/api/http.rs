//! HTTP/1.1 for the Engine API: requests parsed by `httparse` (heads and
//! chunk sizes), bodies bounded, responses written whole, chunked, or as a
//! hijacked stream (`101 UPGRADED`), with the headers dockerd sends.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;

/// The most a request head may take.
const MAX_HEAD: usize = 64 * 1024;
/// The most a JSON request body may take (a build context or a load is
/// streamed instead).
pub const MAX_JSON: u64 = 4 * 1024 * 1024;

/// A client connection, on the unix socket or on TCP.
pub enum Stream {
    Unix(UnixStream),
    Tcp(TcpStream),
}

impl Stream {
    pub fn try_clone(&self) -> io::Result<Stream> {
        Ok(match self {
            Stream::Unix(s) => Stream::Unix(s.try_clone()?),
            Stream::Tcp(s) => Stream::Tcp(s.try_clone()?),
        })
    }

    pub fn shutdown(&self, how: Shutdown) {
        let _ = match self {
            Stream::Unix(s) => s.shutdown(how),
            Stream::Tcp(s) => s.shutdown(how),
        };
    }
}

impl std::os::fd::AsFd for Stream {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        match self {
            Stream::Unix(s) => s.as_fd(),
            Stream::Tcp(s) => s.as_fd(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.read(buf),
            Stream::Tcp(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Unix(s) => s.write(buf),
            Stream::Tcp(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A parsed request head.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path, percent-decoded, without the query.
    pub path: String,
    pub query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter (the last one given).
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated parameter (`t=`, `changes=`).
    pub fn q_all(&self, key: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A boolean parameter, read as dockerd reads it: "", 0, no, false
    /// and none (any case) are false (the Python SDK sends `False`).
    pub fn q_bool(&self, key: &str, default: bool) -> bool {
        match self.q(key) {
            None => default,
            Some(v) => !matches!(
                v.to_ascii_lowercase().as_str(),
                "" | "0" | "no" | "false" | "none"
            ),
        }
    }

    /// `filters=` as a map of string sets (docker's JSON), as the
    /// `KEY=VALUE` list the engine's filters take.
    pub fn filters(&self) -> Result<Vec<String>, String> {
        let Some(raw) = self.q("filters").filter(|f| !f.is_empty()) else {
            return Ok(Vec::new());
        };
        let v: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| format!("invalid filter: {e}"))?;
        let mut out = Vec::new();
        let Some(map) = v.as_object() else {
            return Err("invalid filter: not an object".into());
        };
        for (k, vals) in map {
            match vals {
                // {"label":{"a=b":true}}
                serde_json::Value::Object(set) => {
                    for (val, on) in set {
                        if on.as_bool().unwrap_or(true) {
                            out.push(format!("{k}={val}"));
                        }
                    }
                }
                // The old form: {"label":["a=b"]}
                serde_json::Value::Array(list) => {
                    for val in list.iter().filter_map(|x| x.as_str()) {
                        out.push(format!("{k}={val}"));
                    }
                }
                _ => return Err(format!("invalid filter '{k}'")),
            }
        }
        Ok(out)
    }

    pub fn wants_upgrade(&self) -> bool {
        self.header("Upgrade").is_some()
            || self
                .header("Connection")
                .is_some_and(|c| c.to_ascii_lowercase().contains("upgrade"))
    }

    fn body_kind(&self) -> BodyKind {
        if self
            .header("Transfer-Encoding")
            .is_some_and(|t| t.to_ascii_lowercase().contains("chunked"))
        {
            return BodyKind::Chunked;
        }
        match self
            .header("Content-Length")
            .and_then(|l| l.trim().parse().ok())
        {
            Some(n) => BodyKind::Length(n),
            None => BodyKind::Length(0),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum BodyKind {
    Length(u64),
    Chunked,
}

/// What went wrong reading a request.
#[derive(Debug)]
pub enum ReadError {
    /// The peer went away (or sent nothing more): no response.
    Closed,
    /// A malformed head or body: 400 with this message.
    Bad(String),
    /// A body over the limit.
    TooBig,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Closed
    }
}

/// One connection: its buffered reader and its writer.
pub struct Conn {
    pub reader: BufReader<Stream>,
    pub writer: Stream,
    /// What is left of the current request's body.
    body: Option<BodyState>,
}

#[derive(Debug)]
enum BodyState {
    Length(u64),
    /// Bytes left in the current chunk; `done` after the last one.
    Chunked {
        left: u64,
        done: bool,
    },
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a request target into its decoded path and query pairs.
pub fn split_target(target: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect();
    (percent_decode(path, false), pairs)
}

impl Conn {
    pub fn new(stream: Stream) -> io::Result<Conn> {
        let writer = stream.try_clone()?;
        Ok(Conn {
            reader: BufReader::with_capacity(64 * 1024, stream),
            writer,
            body: None,
        })
    }

    /// The next request's head; its body is read with `read_body`.
    pub fn read_request(&mut self) -> Result<Request, ReadError> {
        // What the last request left of its body goes first.
        self.drain_body()?;
        let mut head = Vec::new();
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Err(ReadError::Closed);
            }
            // Up to and including the blank line, if it is in the buffer.
            let before = head.len();
            head.extend_from_slice(buf);
            let end = find_head_end(&head);
            let take = match end {
                Some(e) => e - before,
                None => buf.len(),
            };
            head.truncate(before + take);
            self.reader.consume(take);
            if end.is_some() {
                break;
            }
            if head.len() > MAX_HEAD {
                return Err(ReadError::Bad("request head too large".into()));
            }
        }
        let mut headers = [httparse::EMPTY_HEADER; 96];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => return Err(ReadError::Bad("incomplete head".into())),
            Err(e) => return Err(ReadError::Bad(format!("malformed request: {e}"))),
        }
        let (path, query) = split_target(req.path.unwrap_or("/"));
        let request = Request {
            method: req.method.unwrap_or("GET").to_string(),
            path,
            query,
            headers: req
                .headers
                .iter()
                .map(|h| {
                    (
                        h.name.to_string(),
                        String::from_utf8_lossy(h.value).into_owned(),
                    )
                })
                .collect(),
        };
        self.body = Some(match request.body_kind() {
            BodyKind::Length(n) => BodyState::Length(n),
            BodyKind::Chunked => BodyState::Chunked {
                left: 0,
                done: false,
            },
        });
        Ok(request)
    }

    /// Reads the body whole, refusing more than `max` bytes.
    pub fn read_body(&mut self, max: u64) -> Result<Vec<u8>, ReadError> {
        // A declared length over the limit is refused before any is read.
        if let Some(BodyState::Length(n)) = self.body {
            if n > max {
                return Err(ReadError::TooBig);
            }
        }
        let mut out = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = self.read_body_part(&mut buf)?;
            if n == 0 {
                return Ok(out);
            }
            if out.len() as u64 + n as u64 > max {
                return Err(ReadError::TooBig);
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    /// Some of the body (0 at its end).
    pub fn read_body_part(&mut self, buf: &mut [u8]) -> Result<usize, ReadError> {
        loop {
            match self.body {
                None | Some(BodyState::Length(0)) => return Ok(0),
                Some(BodyState::Chunked { done: true, .. }) => return Ok(0),
                Some(BodyState::Length(left)) => {
                    let want = buf.len().min(left as usize);
                    let n = self.reader.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(ReadError::Bad("unexpected end of body".into()));
                    }
                    self.body = Some(BodyState::Length(left - n as u64));
                    return Ok(n);
                }
                Some(BodyState::Chunked { left: 0, .. }) => {
                    let size = self.chunk_size()?;
                    self.body = Some(BodyState::Chunked {
                        left: size,
                        done: size == 0,
                    });
                    if size == 0 {
                        // The trailers, up to the blank line.
                        loop {
                            let mut line = String::new();
                            if self.reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                                break;
                            }
                        }
                        return Ok(0);
                    }
                }
                Some(BodyState::Chunked { left, .. }) => {
                    let want = buf.len().min(left as usize);
                    let n = self.reader.read(&mut buf[..want])?;
                    if n == 0 {
                        return Err(ReadError::Bad("unexpected end of chunk".into()));
                    }
                    let left = left - n as u64;
                    if left == 0 {
                        let mut crlf = String::new();
                        self.reader.read_line(&mut crlf)?;
                    }
                    self.body = Some(BodyState::Chunked { left, done: false });
                    return Ok(n);
                }
            }
        }
    }

    fn chunk_size(&mut self) -> Result<u64, ReadError> {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line)?;
        if line.is_empty() {
            return Err(ReadError::Bad("unexpected end of chunked body".into()));
        }
        match httparse::parse_chunk_size(&line) {
            Ok(httparse::Status::Complete((_, n))) => Ok(n),
            _ => Err(ReadError::Bad("malformed chunk size".into())),
        }
    }

    fn drain_body(&mut self) -> Result<(), ReadError> {
        let mut buf = [0u8; 16 * 1024];
        let mut total = 0u64;
        loop {
            let n = self.read_body_part(&mut buf)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > 64 * MAX_JSON {
                return Err(ReadError::TooBig);
            }
        }
        self.body = None;
        Ok(())
    }

    /// What the reader holds beyond the request head (a hijacked client's
    /// first bytes), taken.
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let b = self.reader.buffer().to_vec();
        self.reader.consume(b.len());
        b
    }

    /// A reader of the current body (a build context, an image archive).
    pub fn body_reader(&mut self) -> BodyReader<'_> {
        BodyReader { conn: self }
    }
}

/// The current request's body as a `Read`.
pub struct BodyReader<'a> {
    conn: &'a mut Conn,
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.conn.read_body_part(buf).map_err(|e| match e {
            ReadError::Closed => io::Error::from(io::ErrorKind::UnexpectedEof),
            ReadError::Bad(m) => io::Error::new(io::ErrorKind::InvalidData, m),
            ReadError::TooBig => io::Error::other("request body too large"),
        })
    }
}

fn find_head_end(b: &[u8]) -> Option<usize> {
    b.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// The reason phrase of a status.
fn reason(status: u16) -> &'static str {
    match status {
        101 => "UPGRADED",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// The headers dockerd puts on every response.
fn common_headers() -> String {
    format!(
        "Api-Version: {}\r\nDocker-Experimental: false\r\nOstype: linux\r\nServer: strata/{} (linux)\r\n",
        super::API_VERSION,
        env!("CARGO_PKG_VERSION")
    )
}

/// A response with a whole body.
pub fn respond(w: &mut impl Write, status: u16, content_type: &str, body: &[u8]) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\n{}",
        reason(status),
        common_headers()
    );
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    if status != 204 && status != 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut all = head.into_bytes();
    all.extend_from_slice(body);
    w.write_all(&all)
}

pub fn json(w: &mut impl Write, status: u16, v: &serde_json::Value) -> io::Result<()> {
    let mut body = serde_json::to_vec(v).unwrap_or_default();
    body.push(b'\n');
    respond(w, status, "application/json", &body)
}

/// docker's error body: `{"message": ...}`, Content-Type exactly
/// `application/json` (the CLI compares it).
pub fn error(w: &mut impl Write, status: u16, message: &str) -> io::Result<()> {
    json(w, status, &serde_json::json!({ "message": message }))
}

/// Starts a chunked response (headers flushed at once: `wait` and the
/// progress streams need them before their body exists).
pub fn start_chunked(w: &mut impl Write, status: u16, content_type: &str) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\n{}Transfer-Encoding: chunked\r\n",
        reason(status),
        common_headers()
    );
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())
}

/// One chunk (never empty: an empty one ends the body).
pub fn chunk(w: &mut impl Write, data: &[u8]) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let mut all = format!("{:x}\r\n", data.len()).into_bytes();
    all.extend_from_slice(data);
    all.extend_from_slice(b"\r\n");
    w.write_all(&all)
}

pub fn end_chunked(w: &mut impl Write) -> io::Result<()> {
    w.write_all(b"0\r\n\r\n")
}

/// The switch to a raw stream (attach, exec start).
pub fn upgrade(w: &mut impl Write) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 101 UPGRADED\r\n{}Content-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
        common_headers()
    );
    w.write_all(head.as_bytes())
}

/// A non-upgrading client (docker-py's `attach_socket` without
/// `Upgrade`, an exec start without it): 200 and the raw stream after.
pub fn raw_ok(w: &mut impl Write) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\n{}Content-Type: application/vnd.docker.raw-stream\r\n\r\n",
        common_headers()
    );
    w.write_all(head.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_decoded_and_queries_split() {
        let (p, q) = split_target("/v1.41/images/localhost:5000/a/b:1/json?t=a%3A1&t=b&q=False&x");
        assert_eq!(p, "/v1.41/images/localhost:5000/a/b:1/json");
        assert_eq!(
            q,
            vec![
                ("t".into(), "a:1".into()),
                ("t".into(), "b".into()),
                ("q".into(), "False".into()),
                ("x".into(), "".into())
            ]
        );
        let (_, q) = split_target("/x?changes=CMD+%27x%27&bad=%zz");
        assert_eq!(q[0].1, "CMD 'x'");
        assert_eq!(q[1].1, "%zz");
    }

    #[test]
    fn booleans_and_filters_read_as_dockerd_reads_them() {
        let r = Request {
            method: "GET".into(),
            path: "/".into(),
            query: split_target(
                "/?a=False&b=1&c=none&d=True&filters=%7B%22label%22%3A%7B%22k%3Dv%22%3Atrue%7D%7D",
            )
            .1,
            headers: vec![],
        };
        assert!(!r.q_bool("a", true));
        assert!(r.q_bool("b", false));
        assert!(!r.q_bool("c", true));
        assert!(r.q_bool("d", false));
        assert!(r.q_bool("missing", true));
        assert_eq!(r.filters().unwrap(), vec!["label=k=v".to_string()]);
    }

    #[test]
    fn chunked_and_sized_bodies_are_read_and_bounded() {
        let (a, mut b) = UnixStream::pair().unwrap();
        std::thread::spawn(move || {
            b.write_all(b"POST /build HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /y HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789").unwrap();
        });
        let mut c = Conn::new(Stream::Unix(a)).unwrap();
        let r = c.read_request().unwrap();
        assert_eq!(r.path, "/build");
        assert_eq!(c.read_body(100).unwrap(), b"hello world");
        let r = c.read_request().unwrap();
        assert_eq!(r.path, "/x");
        // The unread body is skipped before the next request.
        let r = c.read_request().unwrap();
        assert_eq!(r.path, "/y");
        assert!(matches!(c.read_body(5), Err(ReadError::TooBig)));
    }
}
