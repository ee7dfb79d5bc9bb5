//! clap value parsers for numeric options with a range: a value outside it is a usage error
//! (exit 2) whose message names the option (clap adds it) and the allowed range.

/// Parses a number.
fn number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))
}

/// A significance level, confidence level or fraction: strictly between 0 and 1.
pub fn open_unit(s: &str) -> Result<f64, String> {
    let v: f64 = number(s)?;
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("must be in (0, 1), got {v}"))
    }
}

/// A fraction that may be 0 (switches something off) but stays below 1: [0, 1).
pub fn unit_from_zero(s: &str) -> Result<f64, String> {
    let v: f64 = number(s)?;
    if (0.0..1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("must be in [0, 1), got {v}"))
    }
}

/// A factor that may keep a value as it is but not grow it (a learning rate's decay per
/// epoch): (0, 1].
pub fn unit_above_zero(s: &str) -> Result<f64, String> {
    let v: f64 = number(s)?;
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("must be in (0, 1], got {v}"))
    }
}

/// A propensity clip: [0, 0.5).
pub fn clip(s: &str) -> Result<f64, String> {
    let v: f64 = number(s)?;
    if (0.0..0.5).contains(&v) {
        Ok(v)
    } else {
        Err(format!("must be in [0, 0.5), got {v}"))
    }
}

/// A finite number of at least 0 (penalties, thresholds).
pub fn non_negative(s: &str) -> Result<f64, String> {
    let v: f64 = number(s)?;
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("must be finite and at least 0, got {v}"))
    }
}

/// A count of at least 1.
pub fn at_least_one(s: &str) -> Result<usize, String> {
    at_least(s, 1)
}

/// A count of at least 2 (grid points, folds).
pub fn at_least_two(s: &str) -> Result<usize, String> {
    at_least(s, 2)
}

fn at_least(s: &str, min: usize) -> Result<usize, String> {
    // Read wide so that "-3" is reported as out of range, not as "not a number".
    let v: i128 = number(s)?;
    usize::try_from(v)
        .ok()
        .filter(|&u| u >= min)
        .ok_or_else(|| format!("must be at least {min}, got {v}"))
}

/// A bootstrap count: 0 (off, a normal interval) or at least 2.
pub fn zero_or_at_least_two(s: &str) -> Result<usize, String> {
    let v: i128 = number(s)?;
    usize::try_from(v)
        .ok()
        .filter(|&u| u == 0 || u >= 2)
        .ok_or_else(|| format!("must be 0 (off) or at least 2, got {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced() {
        assert_eq!(open_unit("0.05"), Ok(0.05));
        for bad in ["0", "1", "2", "-1", "NaN", "x"] {
            assert!(open_unit(bad).is_err(), "{bad}");
        }
        assert_eq!(unit_from_zero("0"), Ok(0.0));
        assert!(unit_from_zero("1").is_err());
        assert_eq!(unit_above_zero("1"), Ok(1.0));
        for bad in ["0", "1.5", "NaN"] {
            assert!(unit_above_zero(bad).is_err(), "{bad}");
        }
        assert!(clip("0.5").is_err());
        assert!(non_negative("inf").is_err());
        assert_eq!(at_least_one("1"), Ok(1));
        assert!(at_least_one("0").is_err());
        assert!(at_least_one("-3").is_err());
        assert_eq!(zero_or_at_least_two("0"), Ok(0));
        assert!(zero_or_at_least_two("1").is_err());
    }
}
