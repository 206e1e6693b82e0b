//! The test side's one wire encoder: rows of an interval report, given as
//! (snake column name, value) pairs, written as the vendor puts them on
//! the wire: CSV, XML (values as attributes or as child elements), JSON
//! or NDJSON (camelCase names, `date_from` and `time` as `dateTimeFrom`).
//!
//! The tests that write rows vary the wire on purpose (delimiters, byte
//! order marks, blank lines, escaping styles, quoted numbers, document
//! shapes): the options below are those variations, so that each test
//! writes the documents it means to, byte for byte.
//! Which values are numbers and which are text is the caller's: a JSON
//! test that quotes numbers passes them as [`Value::Text`].

/// One value of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A number: bare in JSON.
    Num(String),
    /// Text: a string in JSON.
    Text(String),
    /// No value: empty in CSV, left out in XML, `null` in JSON.
    Null,
}

pub fn num(n: impl ToString) -> Value {
    Value::Num(n.to_string())
}

pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// One record: its fields in column order, by snake column name.
pub type Record = Vec<(&'static str, Value)>;

impl Value {
    /// The value as CSV or XML text (no value is empty).
    fn raw(&self) -> &str {
        match self {
            Value::Num(s) | Value::Text(s) => s,
            Value::Null => "",
        }
    }
}

// ---------------------------------------------------------------------
// CSV.
// ---------------------------------------------------------------------

/// How a CSV export is written. A field is quoted when it holds any of the
/// delimiters the reader sniffs (so that a name full of `;` cannot pass
/// for the delimiter of a headerless file), a quote or a line break, and
/// always when its column is in `always_quote`.
#[derive(Clone, Copy, Debug)]
pub struct Csv {
    pub delim: u8,
    pub crlf: bool,
    pub bom: bool,
    pub header: bool,
    pub always_quote: &'static [&'static str],
}

impl Default for Csv {
    fn default() -> Self {
        Csv {
            delim: b',',
            crlf: false,
            bom: false,
            header: true,
            always_quote: &[],
        }
    }
}

impl Csv {
    pub fn eol(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    fn field(&self, name: &str, v: &Value) -> String {
        let s = v.raw();
        let needs = s
            .bytes()
            .any(|b| matches!(b, b',' | b';' | b'|' | b'\t' | b'"' | b'\n' | b'\r'));
        if needs || self.always_quote.contains(&name) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }

    /// The byte order mark (if any) and the header line (if any), named
    /// after the fields of `first`.
    pub fn start(&self, first: &Record) -> String {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        if self.header {
            let names: Vec<&str> = first.iter().map(|(k, _)| *k).collect();
            out.push_str(&names.join(&(self.delim as char).to_string()));
            out.push_str(self.eol());
        }
        out
    }

    /// One record's fields as written (quoted where needed).
    pub fn fields(&self, r: &Record) -> Vec<String> {
        r.iter().map(|(k, v)| self.field(k, v)).collect()
    }

    /// Fields joined by the delimiter.
    pub fn join(&self, fields: &[String]) -> String {
        fields.join(&(self.delim as char).to_string())
    }

    /// One record's line, without the line end.
    pub fn line(&self, r: &Record) -> String {
        self.join(&self.fields(r))
    }

    /// One record's line with its line end.
    pub fn record(&self, r: &Record) -> String {
        self.line(r) + self.eol()
    }

    /// A whole export: start, then a line per record.
    pub fn document(&self, rows: &[Record]) -> String {
        let mut out = rows.first().map(|r| self.start(r)).unwrap_or_default();
        for r in rows {
            out.push_str(&self.record(r));
        }
        out
    }
}

// ---------------------------------------------------------------------
// XML.
// ---------------------------------------------------------------------

/// How XML text and attribute values are escaped: the tests write three
/// styles, all of which the reader decodes alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlEscape {
    /// `&`, `<` and `>` only (element text needs no more).
    Minimal,
    /// The five predefined entities, and line breaks and tabs as
    /// character references (an attribute value would otherwise turn them
    /// into spaces).
    Named,
    /// As `Named`, but `'` and every non-ASCII character as numeric
    /// character references.
    Numeric,
}

pub fn xml_escape(s: &str, style: XmlEscape) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match (c, style) {
            ('&', _) => out.push_str("&amp;"),
            ('<', _) => out.push_str("&lt;"),
            ('>', _) => out.push_str("&gt;"),
            (c, XmlEscape::Minimal) => out.push(c),
            ('"', _) => out.push_str("&quot;"),
            ('\'', XmlEscape::Named) => out.push_str("&apos;"),
            ('\'', XmlEscape::Numeric) => out.push_str("&#39;"),
            ('\n', _) => out.push_str("&#10;"),
            ('\t', _) => out.push_str("&#9;"),
            (c, XmlEscape::Numeric) if !c.is_ascii() => {
                out.push_str(&format!("&#x{:X};", c as u32))
            }
            (c, _) => out.push(c),
        }
    }
    out
}

/// How an XML export is written: a declaration, a root element and one
/// record element per row, values as attributes or as child elements
/// (`prefix` before each child element's name), records indented by
/// `indent` and their children by two more spaces; with `one_line`, no
/// line breaks but the last.
#[derive(Clone, Copy, Debug)]
pub struct Xml {
    pub decl: &'static str,
    pub root: &'static str,
    /// Attributes of the root element, each with its leading space.
    pub root_attrs: &'static str,
    pub record: &'static str,
    pub prefix: &'static str,
    pub indent: &'static str,
    pub attributes: bool,
    pub one_line: bool,
    pub escape: XmlEscape,
}

impl Default for Xml {
    fn default() -> Self {
        Xml {
            decl: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            root: "Export",
            root_attrs: "",
            record: "Row",
            prefix: "",
            indent: "  ",
            attributes: false,
            one_line: false,
            escape: XmlEscape::Named,
        }
    }
}

impl Xml {
    pub fn document(&self, rows: &[Record]) -> String {
        let nl = if self.one_line { "" } else { "\n" };
        let (root, ind, rec) = (self.root, self.indent, self.record);
        let mut out = format!("{}{nl}<{root}{}>{nl}", self.decl, self.root_attrs);
        for r in rows {
            let fields = r.iter().filter(|(_, v)| *v != Value::Null);
            if self.attributes {
                out.push_str(&format!("{ind}<{rec}"));
                for (k, v) in fields {
                    out.push_str(&format!(" {k}=\"{}\"", xml_escape(v.raw(), self.escape)));
                }
                out.push_str(&format!("/>{nl}"));
            } else {
                out.push_str(&format!("{ind}<{rec}>{nl}"));
                for (k, v) in fields {
                    let k = format!("{}{k}", self.prefix);
                    let v = xml_escape(v.raw(), self.escape);
                    out.push_str(&format!("{ind}  <{k}>{v}</{k}>{nl}"));
                }
                out.push_str(&format!("{ind}</{rec}>{nl}"));
            }
        }
        out.push_str(&format!("</{root}>\n"));
        out
    }
}

// ---------------------------------------------------------------------
// JSON.
// ---------------------------------------------------------------------

/// The camelCase JSON name of a snake column name (`date_from` stands for
/// `dateTimeFrom`; `time` joins it).
pub fn json_name(snake: &str) -> &'static str {
    match snake {
        "interval" => "interval",
        "date_from" => "dateTimeFrom",
        "agent_id" => "agentId",
        "agent_name" => "agentName",
        "queue" => "queue",
        "queue_name" => "queueName",
        "offd_direct_call_cnt" => "offdDirectIxnCnt",
        "overflow_in_call_cnt" => "overflowInIxnCnt",
        "aband_call_cnt" => "abandIxnCnt",
        "overflow_out_call_cnt" => "overflowOutIxnCnt",
        "answ_call_cnt" => "answIxnCnt",
        "queued_and_answ_call_dur" => "queuedAndAnswIxnDur",
        "queued_and_aband_call_dur" => "queuedAndAbandIxnDur",
        "talking_call_dur" => "talkingIxnDur",
        "wrap_up_dur" => "wrapUpDur",
        "queued_answ_longest_que_dur" => "queuedAnswLongestQueDur",
        "queued_aband_longest_que_dur" => "queuedAbandLongestQueDur",
        "ans_servicelevel_cnt" => "ansServicelevelCnt",
        "wait_dur" => "waitDur",
        "aband_short_call_cnt" => "abandShortIxnCnt",
        "aband_within_sl_cnt" => "abandWithinSlCnt",
        "transfer_out_call_cnt" => "transferOutIxnCnt",
        other => panic!("no JSON name for column {other}"),
    }
}

/// How `dateTimeFrom` is written from `date_from` (`yyyyMMdd`) and `time`
/// (`HH:mm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonDate {
    /// `2024-03-04T09:15:00`
    Iso,
    /// `03-04-2024T09:15:00`
    MonthFirst,
}

/// How a record object is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonLayout {
    /// `{"a":1,"b":2}`
    Compact,
    /// `{"a": 1, "b": 2}`
    Spaced,
    /// `{` line break, two-space indented members one a line, `}`.
    Pretty,
}

/// The document around the records: `open`, the records joined by `sep`,
/// `close`.
#[derive(Clone, Copy, Debug)]
pub struct JsonFrame {
    pub open: &'static str,
    pub sep: &'static str,
    pub close: &'static str,
}

/// An array, a record a line.
pub const ARRAY: JsonFrame = JsonFrame {
    open: "[\n",
    sep: ",\n",
    close: "\n]\n",
};

/// NDJSON: a record a line.
pub const NDJSON: JsonFrame = JsonFrame {
    open: "",
    sep: "\n",
    close: "\n",
};

/// How a JSON export is written; with `ascii`, non-ASCII characters of
/// strings as `\u` escapes.
#[derive(Clone, Copy, Debug)]
pub struct Json {
    pub frame: JsonFrame,
    pub layout: JsonLayout,
    pub date: JsonDate,
    pub ascii: bool,
}

impl Default for Json {
    fn default() -> Self {
        Json {
            frame: ARRAY,
            layout: JsonLayout::Spaced,
            date: JsonDate::Iso,
            ascii: false,
        }
    }
}

impl Json {
    fn string(&self, s: &str) -> String {
        let quoted = serde_json::to_string(s).expect("a string");
        if !self.ascii {
            return quoted;
        }
        let mut out = String::new();
        for c in quoted.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
        out
    }

    fn value(&self, v: &Value) -> String {
        match v {
            Value::Num(s) => s.clone(),
            Value::Text(s) => self.string(s),
            Value::Null => "null".to_string(),
        }
    }

    /// One record as a JSON object.
    pub fn object(&self, r: &Record) -> String {
        let time = r.iter().find(|(k, _)| *k == "time").map(|(_, v)| v.raw());
        let mut members = Vec::new();
        for (k, v) in r {
            let v = match *k {
                "time" => continue,
                "date_from" => {
                    let d = v.raw();
                    let t = time.expect("a time beside date_from");
                    let (y, m, day) = (&d[..4], &d[4..6], &d[6..8]);
                    match self.date {
                        JsonDate::Iso => format!("\"{y}-{m}-{day}T{t}:00\""),
                        JsonDate::MonthFirst => format!("\"{m}-{day}-{y}T{t}:00\""),
                    }
                }
                _ => self.value(v),
            };
            let kv = if self.layout == JsonLayout::Compact {
                ":"
            } else {
                ": "
            };
            members.push(format!("\"{}\"{kv}{v}", json_name(k)));
        }
        match self.layout {
            JsonLayout::Compact => format!("{{{}}}", members.join(",")),
            JsonLayout::Spaced => format!("{{{}}}", members.join(", ")),
            JsonLayout::Pretty => format!("{{\n  {}\n}}", members.join(",\n  ")),
        }
    }

    pub fn document(&self, rows: &[Record]) -> String {
        let objs: Vec<String> = rows.iter().map(|r| self.object(r)).collect();
        let f = self.frame;
        format!("{}{}{}", f.open, objs.join(f.sep), f.close)
    }
}

/// The 15 Queue Statistics counts and durations after `queue_name`, in
/// SPEC 2.1 column order.
pub const QUEUE_COUNTS: [&str; 15] = [
    "offd_direct_call_cnt",
    "overflow_in_call_cnt",
    "aband_call_cnt",
    "overflow_out_call_cnt",
    "answ_call_cnt",
    "queued_and_answ_call_dur",
    "queued_and_aband_call_dur",
    "talking_call_dur",
    "wrap_up_dur",
    "queued_answ_longest_que_dur",
    "queued_aband_longest_que_dur",
    "ans_servicelevel_cnt",
    "wait_dur",
    "aband_short_call_cnt",
    "aband_within_sl_cnt",
];
