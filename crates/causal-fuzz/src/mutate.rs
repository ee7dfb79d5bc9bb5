//! The mutator: byte flips, inserts, deletes, duplications and splices, plus insertions of a
//! target's dictionary tokens (once or repeated many times, which is how deep nesting and long
//! chains are reached).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Inputs never grow beyond this many bytes, so one execution stays cheap.
pub const MAX_LEN: usize = 16 * 1024;

const INTERESTING: &[u8] = b"\0\t\n\r \"#',-.0129:;=[]{}\\\x7f\xc3\xef\xbb\xbf\xff";

/// A mutant of `input`: one to four random edits; `other` is another corpus entry to splice
/// with and `dictionary` the target's tokens.
pub fn mutate(rng: &mut ChaCha8Rng, input: &[u8], other: &[u8], dictionary: &[&str]) -> Vec<u8> {
    let mut out = input.to_vec();
    let edits = rng.random_range(1..=4);
    for _ in 0..edits {
        edit(rng, &mut out, other, dictionary);
    }
    out.truncate(MAX_LEN);
    out
}

fn edit(rng: &mut ChaCha8Rng, out: &mut Vec<u8>, other: &[u8], dictionary: &[&str]) {
    let len = out.len();
    let pos = rng.random_range(0..=len);
    match rng.random_range(0..9) {
        0 if len > 0 => {
            let i = rng.random_range(0..len);
            out[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = rng.random_range(0..len);
            out[i] = INTERESTING[rng.random_range(0..INTERESTING.len())];
        }
        2 => {
            let n = rng.random_range(1..=4);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            out.splice(pos..pos, bytes);
        }
        3 if len > 0 => {
            let start = rng.random_range(0..len);
            let end = (start + rng.random_range(1..=16)).min(len);
            out.drain(start..end);
        }
        4 if len > 0 => {
            // Duplicate a range somewhere else: repeats statements and nests groups.
            let start = rng.random_range(0..len);
            let end = (start + rng.random_range(1..=64)).min(len);
            let piece = out[start..end].to_vec();
            out.splice(pos..pos, piece);
        }
        5 if !other.is_empty() => {
            // Splice: our prefix, the other entry's suffix.
            let cut = rng.random_range(0..other.len());
            out.truncate(pos);
            out.extend_from_slice(&other[cut..]);
        }
        6 | 7 if !dictionary.is_empty() => {
            let tok = dictionary[rng.random_range(0..dictionary.len())].as_bytes();
            out.splice(pos..pos, tok.iter().copied());
        }
        8 if !dictionary.is_empty() => {
            // A token repeated up to a thousand times: deep nesting, long chains.
            let tok = dictionary[rng.random_range(0..dictionary.len())].as_bytes();
            let times = rng.random_range(2..=1000).min(MAX_LEN / tok.len().max(1));
            let piece: Vec<u8> = tok.repeat(times);
            out.splice(pos..pos, piece);
        }
        _ => {
            out.insert(pos, INTERESTING[rng.random_range(0..INTERESTING.len())]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn mutants_are_seeded_and_bounded() {
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..200)
                .map(|_| mutate(&mut rng, b"dag { a -> b }", b"x,y\n1,2\n", &["{", "->"]))
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        assert!(a.iter().all(|m| m.len() <= MAX_LEN));
        assert!(a.iter().any(|m| m.as_slice() != b"dag { a -> b }"));
    }
}
