//! Reading input files with a cap on their size and on the length of a
//! line, so that a hostile or mistaken path (`/dev/zero`, `/dev/urandom`, a
//! multi-gigabyte file given by mistake) fails at once with a message naming
//! the file instead of filling memory. Every file loyalsim reads goes
//! through here; the caps are documented in docs/scenario-format.md
//! ("Limits").

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// What kind of file is read, with its caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Shown in messages: "scenario", "script", ...
    pub what: &'static str,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Longest line accepted, in bytes (for line-oriented files).
    pub max_line: u64,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// A scenario file (TOML).
pub const SCENARIO: Kind = Kind {
    what: "scenario",
    max_bytes: MIB,
    max_line: MIB,
};
/// A Rhai script: compiling costs more than linear time in its size.
pub const SCRIPT: Kind = Kind {
    what: "script",
    max_bytes: 64 * KIB,
    max_line: 64 * KIB,
};
/// A cohort file (`customer,start` rows).
pub const COHORT: Kind = Kind {
    what: "cohort file",
    max_bytes: GIB,
    max_line: 64 * KIB,
};
/// A transaction log for `fit` (streamed: only the line length matters for memory).
pub const TRANSACTIONS: Kind = Kind {
    what: "transaction file",
    max_bytes: 64 * GIB,
    max_line: MIB,
};
/// A results document for `report`.
pub const RESULTS: Kind = Kind {
    what: "results document",
    max_bytes: 256 * MIB,
    // Pretty-printed JSON; its longest line is the scenario text as a string.
    max_line: 16 * MIB,
};
/// A sweep's `shard.json` (it holds the scenario text, up to 1 MiB, as a
/// JSON string: escaping can make that several times longer).
pub const MANIFEST: Kind = Kind {
    what: "sweep manifest",
    max_bytes: 8 * MIB,
    max_line: 8 * MIB,
};
/// One point file of a sweep (`points/NNNNN.json` or `.csv`).
pub const POINT: Kind = Kind {
    what: "sweep point file",
    max_bytes: 64 * MIB,
    max_line: 16 * MIB,
};

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    NotFound,
    /// Larger than the cap.
    TooLarge(Kind),
    /// A line longer than the cap (1-based line number).
    LineTooLong(Kind, u64),
    /// Not UTF-8 text: the 1-based line of the first bad byte, and the byte.
    NotText(u64, u8),
    Io(io::Error),
}

impl ReadError {
    /// The message for `path` ("PATH: ...").
    pub fn message(&self, path: &Path) -> String {
        format!("{}: {self}", path.display())
    }
    /// Whether the user has to fix the input (exit code 2) rather than the
    /// machine (an I/O failure).
    pub fn is_input(&self) -> bool {
        !matches!(self, ReadError::Io(_))
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("file not found"),
            ReadError::TooLarge(k) => write!(
                f,
                "the {} is larger than {}, the most loyalsim reads; is this the right file?",
                k.what,
                bytes(k.max_bytes)
            ),
            ReadError::LineTooLong(k, line) => write!(
                f,
                "line {line} is longer than {}, the longest line loyalsim reads in a {}; is this the right file?",
                bytes(k.max_line),
                k.what
            ),
            ReadError::NotText(line, byte) => write!(
                f,
                "line {line} is not UTF-8 text (byte 0x{byte:02X}: a character such as é saved in another encoding, or not a text file); save the file as UTF-8"
            ),
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

/// `65536` → `64 KiB`.
pub fn bytes(n: u64) -> String {
    match n {
        n if n >= GIB && n % GIB == 0 => format!("{} GiB", n / GIB),
        n if n >= MIB && n % MIB == 0 => format!("{} MiB", n / MIB),
        n if n >= KIB && n % KIB == 0 => format!("{} KiB", n / KIB),
        n => format!("{n} bytes"),
    }
}

fn open(path: &Path) -> Result<std::fs::File, ReadError> {
    std::fs::File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })
}

/// Read a whole text file of kind `k`.
pub fn read_text(path: &Path, k: Kind) -> Result<String, ReadError> {
    let mut r = Capped::new(open(path)?, k);
    let mut buf = Vec::new();
    r.read_to_end(&mut buf).map_err(|e| r.error(e))?;
    String::from_utf8(buf).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        ReadError::NotText(line, bytes.get(at).copied().unwrap_or(0))
    })
}

/// Open a file of kind `k` for streaming through [`Capped`].
pub fn open_capped(path: &Path, k: Kind) -> Result<Capped<std::fs::File>, ReadError> {
    Ok(Capped::new(open(path)?, k))
}

/// A reader that fails once more than `max_bytes` bytes have been read or a
/// line runs past `max_line` bytes. After a failure [`Capped::error`] turns
/// the I/O error into the [`ReadError`] that caused it.
#[derive(Debug)]
pub struct Capped<R> {
    inner: R,
    kind: Kind,
    read: u64,
    line: u64,
    line_len: u64,
    failed: Option<ReadError>,
}

impl<R> Capped<R> {
    pub fn new(inner: R, kind: Kind) -> Capped<R> {
        Capped {
            inner,
            kind,
            read: 0,
            line: 1,
            line_len: 0,
            failed: None,
        }
    }

    /// The cause of an error this reader returned (or the error itself).
    pub fn error(&mut self, e: io::Error) -> ReadError {
        self.failed.take().unwrap_or(ReadError::Io(e))
    }

    /// Whether this reader stopped the read (then [`Capped::error`] says why).
    pub fn failed(&self) -> bool {
        self.failed.is_some()
    }

    fn fail(&mut self, e: ReadError) -> io::Error {
        let msg = e.to_string();
        self.failed = Some(e);
        io::Error::new(io::ErrorKind::InvalidData, msg)
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed.is_some() {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "read stopped"));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.kind.max_bytes {
            return Err(self.fail(ReadError::TooLarge(self.kind)));
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.line_len = 0;
            } else {
                self.line_len += 1;
                if self.line_len > self.kind.max_line {
                    let line = self.line;
                    return Err(self.fail(ReadError::LineTooLong(self.kind, line)));
                }
            }
        }
        Ok(n)
    }
}

/// A number for a message: as written for ordinary magnitudes, in
/// scientific notation beyond them (Rust would print 1e300 with 301 digits).
pub fn number(x: f64) -> String {
    let a = x.abs();
    if x != 0.0 && x.is_finite() && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Shorten a value quoted in a message: at most `max` characters, with the
/// full length said when cut (a 30 MB field or a 300-digit number must not
/// be echoed whole), and control characters escaped (bytes of a binary file
/// must not reach the terminal).
pub fn excerpt(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return escape_controls(s.chars(), |_| false);
    }
    let head = escape_controls(s.chars().take(max.saturating_sub(1)), |_| false);
    format!("{head}… ({n} characters)")
}

/// `s` with every control character escaped (`\u{1b}`), for text that is
/// shown as one line: a title taken from a file's name.
pub fn escaped(s: &str) -> String {
    escape_controls(s.chars(), |_| false)
}

/// A message for the terminal: control characters other than line breaks
/// and tabs escaped, so that text quoted from someone else's file (a key
/// written `"a\u001b[2J"`) cannot move the cursor or clear the screen.
pub fn for_terminal(msg: &str) -> std::borrow::Cow<'_, str> {
    let layout = |c: char| c == '\n' || c == '\t';
    if !msg.contains(|c: char| c.is_control() && !layout(c)) {
        return msg.into();
    }
    escape_controls(msg.chars(), layout).into()
}

/// What is wrong with a name or label that must be printable text, if
/// anything: "contains the control character U+001B".
pub fn control_character(s: &str) -> Option<String> {
    s.chars()
        .find(|c| c.is_control())
        .map(|c| format!("contains the control character U+{:04X}", c as u32))
}

/// `chars` with each control character escaped unless `keep` keeps it.
fn escape_controls(chars: impl Iterator<Item = char>, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    for c in chars {
        if c.is_control() && !keep(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_keeps_lines_and_escapes_control_characters() {
        assert_eq!(for_terminal("a\n\tb"), "a\n\tb");
        assert_eq!(
            for_terminal("key `hor\u{1b}[2Jizon`\r\u{7f}"),
            "key `hor\\u{1b}[2Jizon`\\r\\u{7f}"
        );
    }

    #[test]
    fn dev_zero_fails_fast_on_the_line_or_size_cap() {
        let zero = Path::new("/dev/zero");
        if !zero.exists() {
            return;
        }
        let t = std::time::Instant::now();
        let e = read_text(zero, TRANSACTIONS).unwrap_err();
        assert!(matches!(e, ReadError::LineTooLong(_, 1)), "{e}");
        assert!(
            e.message(zero)
                .starts_with("/dev/zero: line 1 is longer than 1 MiB")
        );
        let e = read_text(zero, SCRIPT).unwrap_err();
        assert!(e.message(zero).starts_with("/dev/zero: "), "{e}");
        let e = read_text(Path::new("/dev/urandom"), SCENARIO).unwrap_err();
        assert!(
            matches!(e, ReadError::TooLarge(_) | ReadError::LineTooLong(..)),
            "{e}"
        );
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn caps_size_and_lines_exactly() {
        let k = Kind {
            what: "test file",
            max_bytes: 10,
            max_line: 4,
        };
        let read = |s: &str| {
            let mut r = Capped::new(s.as_bytes(), k);
            let mut out = Vec::new();
            r.read_to_end(&mut out)
                .map(|_| out.len())
                .map_err(|e| r.error(e))
        };
        assert_eq!(read("abcd\nabcd\n").unwrap(), 10);
        assert!(matches!(read("abcd\nabcd\na"), Err(ReadError::TooLarge(_))));
        assert!(matches!(
            read("ab\nabcde"),
            Err(ReadError::LineTooLong(_, 2))
        ));
    }

    #[test]
    fn excerpts_say_how_long_the_value_was() {
        assert_eq!(excerpt("short", 10), "short");
        let long = "9".repeat(300);
        let e = excerpt(&long, 12);
        assert_eq!(e, "99999999999… (300 characters)");
        assert_eq!(excerpt("a\u{7}b", 10), "a\\u{7}b");
        assert_eq!(bytes(64 * 1024), "64 KiB");
        assert_eq!(number(1e300), "1e300");
        assert_eq!(number(-2.5e-9), "-2.5e-9");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(123456.0), "123456");
        assert_eq!(bytes(3), "3 bytes");
    }
}
