//! Command-line flags of the xtask commands, through `pico-args`.

use std::ffi::OsString;

use pico_args::Arguments;

/// A parser over one command's arguments (those after the command name).
pub fn parser(args: &[String]) -> Arguments {
    Arguments::from_vec(args.iter().map(OsString::from).collect())
}

/// The arguments left after the known flags were taken, as strings (passed on to a tool).
pub fn rest(args: Arguments) -> Result<Vec<String>, String> {
    args.finish()
        .into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|a| format!("argument {a:?} is not valid UTF-8"))
        })
        .collect()
}

/// Fails naming the first argument left after the known flags were taken.
pub fn no_rest(command: &str, args: Arguments) -> Result<(), String> {
    match rest(args)?.first() {
        Some(a) => Err(format!("{command}: unknown argument '{a}'")),
        None => Ok(()),
    }
}

/// A flag's value error, naming the command.
pub fn flag_error(command: &str) -> impl Fn(pico_args::Error) -> String + '_ {
    move |e| format!("{command}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_values_and_the_rest() {
        let mut p = parser(&strings(&[
            "--base",
            "main",
            "-p",
            "a",
            "--package",
            "b",
            "fil",
        ]));
        let base: Option<String> = p.opt_value_from_str("--base").unwrap();
        let packages: Vec<String> = p.values_from_str(["-p", "--package"]).unwrap();
        assert_eq!(base.as_deref(), Some("main"));
        assert_eq!(packages, ["a", "b"]);
        assert_eq!(rest(p).unwrap(), ["fil"]);
        let mut p = parser(&strings(&["--dev", "--bogus"]));
        assert!(p.contains("--dev"));
        assert_eq!(
            no_rest("wheel", p).unwrap_err(),
            "wheel: unknown argument '--bogus'"
        );
        let mut p = parser(&strings(&["--base"]));
        let e = p
            .opt_value_from_str::<_, String>("--base")
            .map_err(flag_error("bench"));
        assert!(e.unwrap_err().starts_with("bench: "));
    }
}
