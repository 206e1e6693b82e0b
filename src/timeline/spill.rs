//! A fold over files out of time order, in bounded memory: every segment
//! goes to one of several partitions chosen by its interaction id (the
//! partitions of a load), kept in one temporary file in path order, then
//! file order; each partition is then read back alone, its interactions finished
//! (re-pulled copies merged, SPEC 5.1) and handed to the fold. Memory holds
//! the window of chunks being read and one partition, about
//! [`PARTITION_CHUNKS`] chunks' worth of segments.

use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use super::chunked::{self, Job, Source};
use super::load::{LoadStats, Part, Tally};
use super::segment::{Interner, PlacedSegment, Recording};
use super::sink::Sink;
use super::unit::{Group, Groups};
use crate::model::{Completeness, SegmentGeneration};
use crate::position::Position;

/// Input bytes per partition, in chunks: a partition of a 4 MiB chunk
/// size holds the segments of about 64 MiB of input (some 20 MiB).
pub(super) const PARTITION_CHUNKS: u64 = 16;

/// The most partitions of one fold (past it, partitions grow).
const MAX_PARTITIONS: u64 = 4096;

/// Folds the interactions of `paths` (in path order, named `names`) into
/// `sink` through one temporary file, which holds each window's segments
/// partition by partition, and an index of where each partition's blocks
/// are. `Err(None)`: an error the whole read reports; `Err(Some(why))`:
/// the temporary file failed.
pub(super) fn fold(
    paths: &[&Path],
    names: &[Arc<str>],
    rb: &crate::read::ReaderBuilder,
    skip: bool,
    chunk: u64,
    sink: &mut dyn Sink,
) -> Result<(LoadStats, usize), Option<String>> {
    let total = chunked::total_bytes(paths.iter().copied());
    let per = chunk.max(1).saturating_mul(PARTITION_CHUNKS);
    let nparts = total.div_ceil(per).clamp(1, MAX_PARTITIONS) as usize;
    let keys = Arc::default();
    let mut src = Source::open(paths, names, rb, nparts, &keys).ok_or(None)?;
    let jobs: Vec<Job> = (0..paths.len()).flat_map(|i| src.jobs(i, chunk)).collect();
    let io = |e: std::io::Error| Some(format!("a temporary file failed ({e})"));
    let mut file = BufWriter::new(tempfile::tempfile().map_err(io)?);
    // Per partition: its blocks' offsets and lengths in the file.
    let mut blocks: Vec<Vec<(u64, usize)>> = vec![Vec::new(); nparts];
    let mut at = 0u64;
    let mut tally = Tally::default();
    let window = chunked::window();
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); nparts];
    for w in jobs.chunks(window) {
        for (mut unit, base) in src.read(w).ok_or(None)? {
            if unit.fatal.is_some() {
                return Err(None);
            }
            tally.unit(&mut unit);
            for (p, groups) in unit.parts.into_iter().enumerate() {
                for mut g in groups {
                    g.segs.iter_mut().for_each(|s| base.rebase(s));
                    put_group(&mut bufs[p], &g.id, &g.segs);
                }
            }
        }
        for (p, b) in bufs.iter_mut().enumerate() {
            if !b.is_empty() {
                file.write_all(b).map_err(io)?;
                blocks[p].push((at, b.len()));
                at += b.len() as u64;
                b.clear();
            }
        }
    }
    drop(bufs);
    let mut file = file.into_inner().map_err(|e| io(e.into_error()))?;
    let mut part = Part::default();
    let mut buf = Vec::new();
    for b in &blocks {
        buf.clear();
        for &(off, len) in b {
            let from = buf.len();
            buf.resize(from + len, 0);
            file.seek(SeekFrom::Start(off)).map_err(io)?;
            file.read_exact(&mut buf[from..]).map_err(io)?;
        }
        let mut texts = Interner::new(keys.clone());
        let mut groups = Groups::default();
        let mut r = Cursor(&buf);
        while !r.0.is_empty() {
            let (id, v) = get_group(&mut r, &mut texts)
                .ok_or_else(|| Some("the temporary file was cut short".to_string()))?;
            groups.add(Group::new(id.into(), v));
        }
        for g in groups {
            let i = part.finish(g.id, g.segs, names, skip);
            if part.first_dup.is_some() {
                return Err(None);
            }
            sink.add(&i, names).map_err(Some)?;
        }
    }
    sink.settle(i64::MAX).map_err(Some)?;
    tally.part(part.stats, part.first_skip);
    let stats = tally.finish();
    Ok((stats, nparts))
}

fn put_u64(b: &mut Vec<u8>, x: u64) {
    b.extend_from_slice(&x.to_le_bytes());
}

fn put_str(b: &mut Vec<u8>, s: &str) {
    put_u64(b, s.len() as u64);
    b.extend_from_slice(s.as_bytes());
}

fn put_opt_str(b: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            b.push(1);
            put_str(b, s);
        }
        None => b.push(0),
    }
}

fn put_opt_i64(b: &mut Vec<u8>, x: Option<i64>) {
    match x {
        Some(x) => {
            b.push(1);
            put_u64(b, x as u64);
        }
        None => b.push(0),
    }
}

/// Writes an interaction id and its segments.
fn put_group(b: &mut Vec<u8>, id: &str, v: &[PlacedSegment]) {
    put_str(b, id);
    put_u64(b, v.len() as u64);
    for s in v {
        put_u64(b, u64::from(s.file_idx));
        put_u64(b, s.pos.byte());
        put_u64(b, s.pos.line());
        put_u64(b, s.pos.record());
        put_u64(b, s.segment_id_line);
        b.push(match s.generation {
            SegmentGeneration::V2 => 0,
            SegmentGeneration::CxV1 => 1,
        });
        b.push(u8::from(s.is_agent) | u8::from(s.is_ivr) << 1);
        put_str(b, &s.segment_id);
        put_opt_str(b, s.agent_id());
        put_opt_str(b, s.keys.agent_group.as_deref());
        put_opt_str(b, s.direction());
        put_opt_str(b, s.channel());
        put_opt_str(b, s.company_number());
        put_opt_str(b, s.dialed.as_deref());
        put_u64(b, s.start as u64);
        put_u64(b, s.end as u64);
        let r = &s.recording;
        put_u64(b, r.spans.len() as u64);
        for &(a, e) in r.spans.iter() {
            put_u64(b, a as u64);
            put_u64(b, e as u64);
        }
        b.push(u8::from(r.unmatched_start));
        put_u64(b, u64::from(r.ignored_events));
        put_u64(b, u64::from(r.untimed_events));
        put_opt_i64(b, s.interaction_start);
        put_opt_i64(b, s.interaction_end);
        for w in s.completeness.to_words() {
            put_u64(b, w);
        }
    }
}

/// Reads what [`put_group`] wrote; `None` when the bytes end too soon.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.bytes(n)?).ok()
    }
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            _ => Some(Some(self.str()?)),
        }
    }
    fn opt_i64(&mut self) -> Option<Option<i64>> {
        match self.u8()? {
            0 => Some(None),
            _ => Some(Some(self.u64()? as i64)),
        }
    }
}

fn get_group<'a>(
    r: &mut Cursor<'a>,
    texts: &mut Interner,
) -> Option<(&'a str, Vec<PlacedSegment>)> {
    let id = r.str()?;
    let n = usize::try_from(r.u64()?).ok()?;
    let mut v = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let file_idx = r.u32()?;
        let pos = Position::new(r.u64()?, r.u64()?, r.u64()?);
        let segment_id_line = r.u64()?;
        let generation = match r.u8()? {
            0 => SegmentGeneration::V2,
            _ => SegmentGeneration::CxV1,
        };
        let flags = r.u8()?;
        let (is_agent, is_ivr) = (flags & 1 != 0, flags & 2 != 0);
        let segment_id = r.str()?.into();
        let k = [r.opt_str()?, r.opt_str()?, r.opt_str()?, r.opt_str()?];
        let keys = texts.get(k);
        let number = r.opt_str()?.map(|n| texts.number(n));
        let dialed = r.opt_str()?.map(Box::from);
        let start = r.u64()? as i64;
        let end = r.u64()? as i64;
        let nspans = usize::try_from(r.u64()?).ok()?;
        let mut spans = Vec::with_capacity(nspans.min(1 << 16));
        for _ in 0..nspans {
            spans.push((r.u64()? as i64, r.u64()? as i64));
        }
        let recording = Recording {
            spans: spans.into_boxed_slice(),
            unmatched_start: r.u8()? != 0,
            ignored_events: r.u32()?,
            untimed_events: r.u32()?,
        };
        let interaction_start = r.opt_i64()?;
        let interaction_end = r.opt_i64()?;
        let completeness = Completeness::from_words([r.u64()?, r.u64()?, r.u64()?]);
        v.push(PlacedSegment {
            file_idx,
            pos,
            segment_id_line,
            generation,
            is_agent,
            is_ivr,
            dialed,
            segment_id,
            keys,
            number,
            start,
            end,
            recording,
            interaction_start,
            interaction_end,
            completeness,
        });
    }
    Some((id, v))
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::*;

    /// A spilled group reads back as it was written: IVR flags, company
    /// numbers and an outbound call's called address included.
    #[test]
    fn a_group_reads_back_as_written() -> crate::Result<()> {
        let data = br#"[
 {"interactionId": "E", "dialogId": "d", "channelType": "VOICE", "dialogOrigination": "OUTBOUND",
  "contactEndpointAddress": "+15550142", "channelEndpointAddress": "+15550188",
  "dialogStartTimeMs": 0, "segmentId": "1", "segmentType": "IVR", "segmentParticipantId": "ivr-1",
  "segmentStartTimeMs": 0, "segmentEndTimeMs": 1000},
 {"interactionId": "E", "dialogId": "d", "channelType": "VOICE", "dialogOrigination": "OUTBOUND",
  "contactEndpointAddress": "+15550142", "channelEndpointAddress": "+15550188",
  "dialogStartTimeMs": 0, "segmentId": "2", "segmentType": "AGENT", "segmentParticipantId": "7",
  "segmentStartTimeMs": 1000, "segmentEndTimeMs": 5000}]"#;
        let mut reader = crate::ReaderBuilder::new().from_bytes("m.json", data.to_vec())?;
        let mut placed = Vec::new();
        for seg in reader.segments() {
            placed.push(PlacedSegment::new(&seg?, &"m.json".into(), 0)?);
        }
        assert!(placed[0].is_ivr && !placed[1].is_ivr);
        assert_eq!(placed[0].ivr_id(), Some("ivr-1"));
        assert_eq!(placed[1].company_number(), Some("+15550188"));
        assert_eq!(placed[1].called_address(), Some("+15550142"));
        let mut b = Vec::new();
        put_group(&mut b, "E", &placed);
        let mut texts = Interner::new(Arc::default());
        let mut r = Cursor(&b);
        let (id, back) = get_group(&mut r, &mut texts).expect("read back");
        assert_eq!((id, back), ("E", placed));
        Ok(())
    }
}
