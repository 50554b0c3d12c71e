//! Timing for `numjit bench`: warm-up, calibration, repetitions, median and min; and the
//! memory-bandwidth reference (a plain copy over the same bytes, 1 and N threads).
//! Owns no cases and no output formatting.

use crate::Failure;
use rayon::prelude::*;
use std::time::Instant;

/// How long and how often to measure.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub quick: bool,
}

impl Settings {
    /// Each repetition repeats the call until it lasts this long (seconds).
    fn target(&self) -> f64 {
        if self.quick {
            0.02
        } else {
            0.05
        }
    }

    /// Seconds of timed runs after which `time_runs` stops repeating.
    pub fn budget(&self) -> f64 {
        if self.quick {
            4.0
        } else {
            20.0
        }
    }

    /// Repetitions for a call that takes `t` seconds.
    pub fn reps(&self, t: f64) -> usize {
        match (self.quick, t) {
            (true, _) => 3,
            (false, t) if t > 1.0 => 3,
            (false, t) if t >= 0.1 => 5,
            _ => 7,
        }
    }
}

/// Seconds per call over the repetitions.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub median: f64,
    pub min: f64,
}

impl Timing {
    pub fn from_samples(mut s: Vec<f64>) -> Timing {
        s.sort_by(f64::total_cmp);
        let median = if s.is_empty() {
            f64::NAN
        } else if s.len() % 2 == 1 {
            s[s.len() / 2]
        } else {
            (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
        };
        Timing {
            median,
            min: s.first().copied().unwrap_or(f64::NAN),
        }
    }
}

/// Times `call`: one warm-up call, one calibration call, then repetitions of as many
/// calls as last `Settings::target` seconds; the mean per call of each repetition is
/// one sample.
pub fn time_calls(
    s: &Settings,
    mut call: impl FnMut() -> Result<(), Failure>,
) -> Result<Timing, Failure> {
    let t0 = Instant::now();
    call()?;
    let first = t0.elapsed().as_secs_f64();
    let (t1, reps) = if first > 1.0 {
        (first, s.reps(first))
    } else {
        let t0 = Instant::now();
        call()?;
        let t1 = t0.elapsed().as_secs_f64();
        (t1, s.reps(t1))
    };
    let number = ((s.target() / t1.max(1e-7)) as usize).max(1);
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t0 = Instant::now();
        for _ in 0..number {
            call()?;
        }
        samples.push(t0.elapsed().as_secs_f64() / number as f64);
    }
    Ok(Timing::from_samples(samples))
}

/// Times up to `reps` runs of `run` on a fresh state from `setup` (set up outside the
/// timed window), at least one, stopping early once the timed runs exceed `budget`
/// seconds; a sample is the run's time divided by `per` (e.g. iterations per run).
/// Returns the final state of the last run, for validation.
pub fn time_runs<S>(
    reps: usize,
    per: usize,
    budget: f64,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(&mut S) -> Result<(), Failure>,
) -> Result<(Timing, S), Failure> {
    let mut samples = Vec::with_capacity(reps);
    let mut spent = 0.0;
    loop {
        let mut state = setup();
        let t0 = Instant::now();
        run(&mut state)?;
        let t = t0.elapsed().as_secs_f64();
        spent += t;
        samples.push(t / per.max(1) as f64);
        if samples.len() >= reps || spent > budget {
            return Ok((Timing::from_samples(samples), state));
        }
    }
}

/// The bandwidth reference: copies `bytes` (half read, half written) `passes` times.
pub struct CopyRef {
    src: Vec<f64>,
    dst: Vec<f64>,
    passes: usize,
}

impl CopyRef {
    /// A copy moving `bytes` per pass: `bytes / 2` read and `bytes / 2` written.
    pub fn new(bytes: f64, passes: usize) -> CopyRef {
        let words = ((bytes / 16.0).round() as usize).max(1);
        CopyRef {
            src: (0..words).map(|i| i as f64).collect(),
            dst: vec![0.0; words],
            passes: passes.max(1),
        }
    }

    /// One call: `passes` copies on `pool` (or on this thread when `None`), each thread
    /// copying one contiguous chunk.
    pub fn run(&mut self, pool: Option<&rayon::ThreadPool>) {
        for _ in 0..self.passes {
            match pool {
                None => self.dst.copy_from_slice(&self.src),
                Some(p) => {
                    let chunk = self.src.len().div_ceil(p.current_num_threads()).max(1);
                    let (src, dst) = (&self.src, &mut self.dst);
                    p.install(|| {
                        dst.par_chunks_mut(chunk)
                            .zip(src.par_chunks(chunk))
                            .for_each(|(d, s)| d.copy_from_slice(s))
                    });
                }
            }
        }
        std::hint::black_box(&mut self.dst);
    }
}
