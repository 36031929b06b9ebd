//! An error chain as the terminal shows it, once, at the top of the program.

use super::{Exit, SlimError};

/// True when an error chain ends in a broken pipe: `cargo slim size | head` closing
/// early is not a failure worth reporting.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Render an error chain for the terminal: `error: outer`, then each cause on a
/// `caused by:` line, then the help of the first [`SlimError`] in the chain.
pub(crate) fn render(err: &anyhow::Error) -> (String, Exit) {
    let mut out = format!("error: {err}");
    let mut last = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        // anyhow's context often repeats the cause verbatim; say each thing once.
        if !last.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        last = text;
    }
    let slim = err.chain().find_map(|c| c.downcast_ref::<SlimError>());
    if let Some(help) = slim.and_then(SlimError::help) {
        out.push_str(&format!("\n  help: {help}"));
    }
    let exit = slim.map_or(Exit::Error, SlimError::exit);
    (out, exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_with_cause_and_help_once() {
        let err = anyhow::Error::new(SlimError::NotBuilt {
            bin: "f".into(),
            target: "x86_64-unknown-linux-musl".into(),
            dir: "/t".into(),
        })
        .context("cannot verify");
        let (text, exit) = render(&err);
        assert_eq!(
            text,
            "error: cannot verify\n  caused by: no build of `f` for x86_64-unknown-linux-musl \
             in /t\n  help: run `cargo slim build` first"
        );
        assert_eq!(exit, Exit::Error);
    }
}
