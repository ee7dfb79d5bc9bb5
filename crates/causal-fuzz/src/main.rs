//! `causal-fuzz`: a seeded mutation fuzzer for the project's parsers, on stable Rust.
//!
//! For each target (see [`targets::TARGETS`]) a supervisor runs a worker copy of this binary.
//! The worker mutates the seeds, runs the target on each mutant under `catch_unwind`, and
//! before each execution records the input and its counters in a state file. When the worker
//! dies (an abort, a stack overflow) or hangs, the supervisor saves the input it was running
//! from that file and restarts it. Every finding is written under the output folder
//! (`target/fuzz/crashes/TARGET/KIND-HASH`): panics, aborts, hangs, inputs over 1 s, inputs
//! whose peak memory is over 100 times their size (plus a 64 KiB allowance for fixed costs),
//! and broken round trips. The exit code is 1 when there is any finding.
//!
//! `causal-fuzz [TARGET..] [--execs N] [--seconds S] [--seed K] [--out DIR]`
//! `causal-fuzz --replay TARGET FILE..` runs saved inputs once (for regression checks).

mod alloc;
mod mutate;
mod seeds;
mod targets;

use std::fs::{self, File};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::targets::Target;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// An input slower than this is a finding.
const SLOW: Duration = Duration::from_secs(1);
/// A worker whose state has not moved for this long is hung: killed, its input saved.
const HANG: Duration = Duration::from_secs(10);
/// Peak memory allowed per input byte.
const MEMORY_PER_BYTE: usize = 100;
/// Fixed allowance on top: tables, hash maps and error strings of even a one-byte input.
const MEMORY_FLOOR: usize = 64 * 1024;
/// Findings kept per target and kind (the counts go on).
const KEEP: usize = 50;

/// Counters a worker keeps in its state file; the supervisor reads them even after a crash.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    /// Index of the execution in progress (or, at the end, the number done).
    index: u64,
    panics: u64,
    roundtrip: u64,
    slow: u64,
    memory: u64,
    accepted: u64,
    /// Slowest execution, in microseconds.
    max_micros: u64,
    /// Largest peak memory over input size.
    max_memory_ratio: u64,
}

const FIELDS: usize = 8;
const HEADER: usize = FIELDS * 8 + 8;

impl Counts {
    fn fields(&self) -> [u64; FIELDS] {
        [
            self.index,
            self.panics,
            self.roundtrip,
            self.slow,
            self.memory,
            self.accepted,
            self.max_micros,
            self.max_memory_ratio,
        ]
    }

    fn from_fields(f: [u64; FIELDS]) -> Self {
        Self {
            index: f[0],
            panics: f[1],
            roundtrip: f[2],
            slow: f[3],
            memory: f[4],
            accepted: f[5],
            max_micros: f[6],
            max_memory_ratio: f[7],
        }
    }
}

/// The worker's state file: counters, the input's length, then the input.
struct State {
    file: File,
    buf: Vec<u8>,
}

impl State {
    fn create(path: &Path) -> std::io::Result<Self> {
        Ok(Self {
            file: File::create(path)?,
            buf: Vec::with_capacity(HEADER + mutate::MAX_LEN),
        })
    }

    fn write(&mut self, c: &Counts, input: &[u8]) -> std::io::Result<()> {
        self.buf.clear();
        for f in c.fields() {
            self.buf.extend_from_slice(&f.to_le_bytes());
        }
        self.buf
            .extend_from_slice(&(input.len() as u64).to_le_bytes());
        self.buf.extend_from_slice(input);
        write_at(&self.file, &self.buf)
    }

    fn read(path: &Path) -> Option<(Counts, Vec<u8>)> {
        let bytes = fs::read(path).ok()?;
        if bytes.len() < HEADER {
            return None;
        }
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[i * 8..i * 8 + 8]);
            u64::from_le_bytes(w)
        };
        let mut f = [0u64; FIELDS];
        for (i, v) in f.iter_mut().enumerate() {
            *v = word(i);
        }
        let len = (word(FIELDS) as usize).min(bytes.len() - HEADER);
        Some((Counts::from_fields(f), bytes[HEADER..HEADER + len].to_vec()))
    }
}

#[cfg(unix)]
fn write_at(file: &File, buf: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.write_all_at(buf, 0)
}

#[cfg(not(unix))]
fn write_at(mut file: &File, buf: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))?;
    file.write_all(buf)
}

/// A 64-bit FNV-1a hash, to name saved inputs.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Saves a finding (the input, and why beside it), at most [`KEEP`] per kind.
fn save(out: &Path, target: &str, kind: &str, input: &[u8], why: &str, count: u64) {
    if count > KEEP as u64 {
        return;
    }
    let dir = out.join(target);
    if fs::create_dir_all(&dir).is_err() {
        return;
    }
    let name = format!("{kind}-{:016x}", fnv(input));
    let _ = fs::write(dir.join(&name), input);
    let _ = fs::write(dir.join(format!("{name}.why")), why);
}

static PANIC_MESSAGE: Mutex<String> = Mutex::new(String::new());

/// Keeps panic messages quiet (there may be many) but remembers the last one.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            *m = info.to_string();
        }
    }));
}

struct WorkerArgs {
    target: &'static Target,
    execs: u64,
    start: u64,
    seconds: Option<f64>,
    seed: u64,
    out: PathBuf,
    state: PathBuf,
}

/// The worker loop: mutate, run, record.
fn worker(a: &WorkerArgs) -> Result<(), String> {
    quiet_panics();
    let t = a.target;
    let mut state = State::create(&a.state).map_err(|e| format!("{}: {e}", a.state.display()))?;
    let seeds = seeds::seeds(t.name);
    let n_seeds = seeds.len();
    let mut corpus = seeds;
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let started = Instant::now();
    let mut c = Counts {
        index: a.start,
        ..Counts::default()
    };
    if let Some((old, _)) = State::read(&a.state.with_extension("carry")) {
        c = Counts {
            index: a.start,
            ..old
        };
    }
    let end = a.start + a.execs;
    while c.index < end {
        if a.seconds
            .is_some_and(|s| started.elapsed().as_secs_f64() >= s)
        {
            break;
        }
        let k = (c.index - a.start) as usize;
        let input = if k < n_seeds {
            corpus[k].clone()
        } else {
            let i = rng.random_range(0..corpus.len());
            let j = rng.random_range(0..corpus.len());
            mutate::mutate(&mut rng, &corpus[i], &corpus[j], t.dictionary)
        };
        state.write(&c, &input).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&input);
        let base = alloc::start();
        let clock = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| (t.run)(&text)));
        let took = clock.elapsed();
        let memory = alloc::peak_above(base);
        match result {
            Err(_) => {
                c.panics += 1;
                let why = PANIC_MESSAGE.lock().map(|m| m.clone()).unwrap_or_default();
                save(&a.out, t.name, "panic", &input, &why, c.panics);
            }
            Ok(Err(why)) => {
                c.roundtrip += 1;
                save(&a.out, t.name, "roundtrip", &input, &why, c.roundtrip);
            }
            Ok(Ok(accepted)) => {
                if accepted {
                    c.accepted += 1;
                    // Accepted inputs are the interesting ones to mutate further.
                    if corpus.len() < 256 {
                        if rng.random_range(0..16) == 0 {
                            corpus.push(input.clone());
                        }
                    } else if rng.random_range(0..64) == 0 {
                        let i = rng.random_range(n_seeds.min(corpus.len() - 1)..corpus.len());
                        corpus[i] = input.clone();
                    }
                }
            }
        }
        if took > SLOW {
            c.slow += 1;
            let why = format!("{:.3} s for {} bytes", took.as_secs_f64(), input.len());
            save(&a.out, t.name, "slow", &input, &why, c.slow);
        }
        if memory > MEMORY_PER_BYTE * input.len() + MEMORY_FLOOR {
            c.memory += 1;
            let why = format!("peak {memory} bytes for {} bytes of input", input.len());
            save(&a.out, t.name, "memory", &input, &why, c.memory);
        }
        c.max_micros = c.max_micros.max(took.as_micros() as u64);
        c.max_memory_ratio = c
            .max_memory_ratio
            .max(memory.saturating_sub(MEMORY_FLOOR) as u64 / input.len().max(1) as u64);
        c.index += 1;
    }
    state.write(&c, &[]).map_err(|e| e.to_string())
}

/// What one target's supervised run found.
#[derive(Debug, Default)]
struct Report {
    counts: Counts,
    aborts: u64,
    hangs: u64,
    seconds: f64,
}

fn supervise(
    exe: &Path,
    t: &Target,
    execs: u64,
    seconds: Option<f64>,
    seed: u64,
    out: &Path,
) -> Result<Report, String> {
    fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let state = out.join(format!("{}.state", t.name));
    let carry = state.with_extension("carry");
    let _ = fs::remove_file(&carry);
    let started = Instant::now();
    let mut report = Report::default();
    let mut done = 0u64;
    let mut restarts = 0u64;
    while done < execs {
        let left = seconds.map(|s| s - started.elapsed().as_secs_f64());
        if left.is_some_and(|l| l <= 0.0) {
            break;
        }
        let _ = fs::remove_file(&state);
        let mut cmd = Command::new(exe);
        cmd.args(["--worker", t.name])
            .args(["--execs", &(execs - done).to_string()])
            .args(["--start", &done.to_string()])
            .args(["--seed", &(seed.wrapping_add(restarts)).to_string()])
            .arg("--out")
            .arg(out)
            .arg("--state")
            .arg(&state);
        if let Some(l) = left {
            cmd.args(["--seconds", &l.to_string()]);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("starting {}: {e}", exe.display()))?;
        let mut last = (u64::MAX, Instant::now());
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
            let index = State::read(&state).map(|(c, _)| c.index);
            if let Some(i) = index
                && i != last.0
            {
                last = (i, Instant::now());
            } else if last.1.elapsed() > HANG {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        };
        let (counts, input) = State::read(&state).unwrap_or_default();
        report.counts = counts;
        match status {
            Some(s) if s.success() => {
                done = counts.index;
                break;
            }
            Some(s) => {
                report.aborts += 1;
                save(
                    out,
                    t.name,
                    "abort",
                    &input,
                    &format!("worker died: {s}"),
                    report.aborts,
                );
            }
            None => {
                report.hangs += 1;
                save(
                    out,
                    t.name,
                    "hang",
                    &input,
                    "no progress for 10 s",
                    report.hangs,
                );
            }
        }
        // Carry the counters into the restarted worker, past the input that killed it.
        done = counts.index + 1;
        restarts += 1;
        fs::copy(&state, &carry).map_err(|e| e.to_string())?;
    }
    let _ = fs::remove_file(&carry);
    report.counts.index = report.counts.index.max(done.min(execs));
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn replay(target: &Target, files: &[String]) -> Result<bool, String> {
    let mut clean = true;
    for f in files {
        let input = fs::read(f).map_err(|e| format!("{f}: {e}"))?;
        let text = String::from_utf8_lossy(&input);
        let clock = Instant::now();
        match catch_unwind(AssertUnwindSafe(|| (target.run)(&text))) {
            Ok(Ok(accepted)) => eprintln!(
                "{f}: {} in {:.3} s",
                if accepted { "accepted" } else { "rejected" },
                clock.elapsed().as_secs_f64()
            ),
            Ok(Err(why)) => {
                clean = false;
                eprintln!("{f}: round trip broken: {why}");
            }
            Err(_) => {
                clean = false;
                eprintln!("{f}: panicked");
            }
        }
    }
    Ok(clean)
}

const USAGE: &str = "\
causal-fuzz [TARGET..] [--execs N] [--seconds S] [--seed K] [--out DIR]
causal-fuzz --replay TARGET FILE..

targets: data, dagitty, dot, graph-json, scm-json, knowledge (default: all).
--execs is per target (default 10000); --seconds (per target) stops earlier.";

fn value<T: std::str::FromStr>(args: &[String], i: usize, flag: &str) -> Result<T, String> {
    args.get(i + 1)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{flag} needs a number\n\n{USAGE}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("causal-fuzz: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut names: Vec<String> = Vec::new();
    let mut execs: u64 = 10_000;
    let mut seconds: Option<f64> = None;
    let mut seed: u64 = 0;
    let mut start: u64 = 0;
    let mut out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz/crashes");
    let mut worker_target: Option<String> = None;
    let mut state: Option<PathBuf> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--execs" => execs = value(&args, i, "--execs")?,
            "--seconds" => seconds = Some(value(&args, i, "--seconds")?),
            "--seed" => seed = value(&args, i, "--seed")?,
            "--start" => start = value(&args, i, "--start")?,
            "--out" => out = PathBuf::from(value::<String>(&args, i, "--out")?),
            "--state" => state = Some(PathBuf::from(value::<String>(&args, i, "--state")?)),
            "--worker" => worker_target = Some(value::<String>(&args, i, "--worker")?),
            "--replay" => {
                let name = args.get(i + 1).ok_or(USAGE)?;
                let t = targets::find(name).ok_or_else(|| format!("unknown target '{name}'"))?;
                return replay(t, &args[i + 2..]);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option '{flag}'\n\n{USAGE}"));
            }
            name => {
                names.push(name.to_owned());
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if let Some(name) = worker_target {
        let target = targets::find(&name).ok_or_else(|| format!("unknown target '{name}'"))?;
        let state = state.ok_or("--worker needs --state")?;
        worker(&WorkerArgs {
            target,
            execs,
            start,
            seconds,
            seed,
            out,
            state,
        })?;
        return Ok(true);
    }
    let chosen: Vec<&Target> = if names.is_empty() {
        targets::TARGETS.iter().collect()
    } else {
        names
            .iter()
            .map(|n| {
                targets::find(n).ok_or_else(|| {
                    format!("unknown target '{n}' (targets: data, dagitty, dot, graph-json, scm-json, knowledge)")
                })
            })
            .collect::<Result<_, _>>()?
    };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut clean = true;
    let mut table = Vec::new();
    for t in chosen {
        let r = supervise(&exe, t, execs, seconds, seed, &out)?;
        let c = r.counts;
        let findings = c.panics + c.roundtrip + c.slow + c.memory + r.aborts + r.hangs;
        clean &= findings == 0;
        let line = serde_json::json!({
            "target": t.name,
            "execs": c.index,
            "accepted": c.accepted,
            "panics": c.panics,
            "aborts": r.aborts,
            "hangs": r.hangs,
            "over_1s": c.slow,
            "over_memory": c.memory,
            "roundtrip_failures": c.roundtrip,
            "slowest_ms": c.max_micros as f64 / 1000.0,
            "max_memory_per_input_byte": c.max_memory_ratio,
            "seconds": (r.seconds * 10.0).round() / 10.0,
        });
        eprintln!(
            "{:<11} {:>9} execs in {:>6.1} s: {} panics, {} aborts, {} hangs, {} over 1 s, {} over memory, {} round-trip failures",
            t.name, c.index, r.seconds, c.panics, r.aborts, r.hangs, c.slow, c.memory, c.roundtrip
        );
        table.push(line);
    }
    println!("{}", serde_json::Value::Array(table));
    if !clean {
        eprintln!("findings saved under {}", out.display());
    }
    let _ = std::io::stdout().flush();
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regressions_stay_fixed() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
        let mut replayed = 0;
        for t in targets::TARGETS {
            let Ok(dir) = fs::read_dir(root.join(t.name)) else {
                continue;
            };
            for entry in dir.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "why") {
                    continue;
                }
                let input = fs::read(&path).unwrap();
                let text = String::from_utf8_lossy(&input);
                let r = catch_unwind(AssertUnwindSafe(|| (t.run)(&text)));
                assert!(
                    matches!(r, Ok(Ok(_))),
                    "{}: {:?}",
                    path.display(),
                    r.map_err(|_| "panic")
                );
                replayed += 1;
            }
        }
        // Deep nesting once overflowed the stack; these are generated rather than stored.
        for (t, open, close) in [("dagitty", "dag { ", " }"), ("dot", "digraph { ", " }")] {
            let deep = format!("{open}{}a{}{close}", "{".repeat(50_000), "}".repeat(50_000));
            let target = targets::find(t).unwrap();
            assert_eq!((target.run)(&deep), Ok(true), "{t}");
            replayed += 1;
        }
        assert!(replayed >= 2);
    }
}
