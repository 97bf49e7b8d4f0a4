//! Batches of events: the unit that generators fill and strategies route.
//!
//! A batch is column-oriented: one `Vec<u64>` per schema field plus the op
//! index of each event. Columns keep the generator and routing loops tight
//! and let a batch be reused from chunk to chunk without allocation. Fields
//! whose keys are strings (trace replay) also carry the raw bytes, because
//! real systems' partitioners hash the bytes, not a number.

/// The most fields a record schema may have.
pub const MAX_FIELDS: usize = 16;

/// Raw key bytes of one field, for every event of a batch.
#[derive(Clone, Debug, Default)]
pub struct TextColumn {
    /// All keys' bytes, back to back.
    pub bytes: Vec<u8>,
    /// `ends[i]` is where event i's key ends in `bytes`; it starts at `ends[i-1]`.
    pub ends: Vec<u32>,
}

impl TextColumn {
    /// The bytes of event `i`'s key.
    #[inline]
    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// Empties the column, keeping its memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Appends one key.
    pub fn push(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len() as u32);
    }
}

/// A run of consecutive events of the stream.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// Index in the whole stream of the first event.
    pub start: u64,
    /// The op (index into the workload's ops) of each event.
    pub ops: Vec<u8>,
    /// One column of values per schema field.
    pub cols: Vec<Vec<u64>>,
    /// Raw bytes for fields whose keys are strings, by field index.
    pub text: Vec<Option<TextColumn>>,
}

impl Batch {
    /// An empty batch for a schema of `fields` fields.
    pub fn new(fields: usize) -> Self {
        Self {
            start: 0,
            ops: Vec::new(),
            cols: vec![Vec::new(); fields],
            text: vec![None; fields],
        }
    }

    /// Number of events in the batch.
    #[inline]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when the batch holds no events.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// A view of event `i`.
    #[inline]
    pub fn rec(&self, i: usize) -> Rec<'_> {
        Rec { batch: self, i }
    }
}

/// One event of a batch, as strategies see it.
#[derive(Clone, Copy, Debug)]
pub struct Rec<'a> {
    batch: &'a Batch,
    i: usize,
}

impl<'a> Rec<'a> {
    /// The op index of this event.
    #[inline]
    pub fn op(&self) -> usize {
        self.batch.ops[self.i] as usize
    }

    /// The value of field `f`. For string keys this is their XXH64 hash.
    #[inline]
    pub fn field(&self, f: usize) -> u64 {
        self.batch.cols[f][self.i]
    }

    /// The raw bytes of field `f`, when its keys are strings.
    #[inline]
    pub fn text(&self, f: usize) -> Option<&'a [u8]> {
        self.batch.text[f].as_ref().map(|t| t.get(self.i))
    }

    /// Position of this event within its batch.
    #[inline]
    pub fn index(&self) -> usize {
        self.i
    }
}

/// Stable hash of a string key: XXH64 with seed 0, a frozen published
/// algorithm. Generic strategies see a string key as this number.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh64::xxh64(bytes, 0)
}
