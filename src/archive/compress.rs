//! Recognises a stream's compression by its magic bytes and wraps it in
//! the right decoder.

use super::Error;
use std::io::{BufRead, BufReader, Read};

/// A stream's compression, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Sniffs the compression of `input` and returns a reader of the
/// uncompressed bytes.
pub fn decompressor<'a, R: Read + 'a>(
    input: R,
) -> Result<(Compression, Box<dyn Read + 'a>), Error> {
    let mut buf = BufReader::with_capacity(256 * 1024, input);
    let head = buf.fill_buf()?;
    let kind = if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else if head.starts_with(b"BZh") {
        return Err(Error::Unsupported("bzip2"));
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Err(Error::Unsupported("xz"));
    } else {
        Compression::None
    };
    let reader: Box<dyn Read + 'a> = match kind {
        Compression::None => Box::new(buf),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buf)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buf)?),
    };
    Ok((kind, reader))
}
