//! Real systems' partitioners, reproduced bit for bit.
//!
//! Each file is one system: its hash function over the key bytes, and how
//! the hash picks a partition. Keys are byte strings formed from a record
//! by a [`template::KeyTemplate`] (option `template`), so a run measures
//! what the real system would do with keys spelt like that. Every hash is
//! tested against the system's own published vectors; the test comments
//! name the files they come from.
//!
//! | kind | hash | placement |
//! |---|---|---|
//! | `kafka` | murmur2, seed 0x9747b28c | toPositive(h) mod N |
//! | `redis` | CRC16-XMODEM of the hash tag | slot mod 16384, slots in `redis-cli` ranges |
//! | `cassandra` | Murmur3Partitioner token | ring of random vnodes |
//! | `elasticsearch` | murmur3 x86_32 of UTF-16 | floorMod(h, routing shards) / factor |
//! | `ketama` | md5, libketama points | continuum, next point ≥ key |
//! | `mongodb` | md5 `BSONElementHasher` | initial hashed chunks |

pub mod cassandra;
pub mod elasticsearch;
pub mod kafka;
pub mod ketama;
pub mod mongodb;
pub mod redis;
pub mod template;
