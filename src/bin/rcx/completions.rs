//! `rcx completions`: shell completion scripts.

use std::process::ExitCode;

use clap::{Args as ClapArgs, CommandFactory};
use clap_complete::Shell;
use ringcx_reports::Error;

use crate::common::Output;

/// Print a completion script for a shell. For example, bash:
/// `rcx completions bash > ~/.local/share/bash-completion/completions/rcx`;
/// zsh: `rcx completions zsh > "${fpath[1]}/_rcx"`;
/// fish: `rcx completions fish > ~/.config/fish/completions/rcx.fish`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(a: Args) -> Result<ExitCode, Error> {
    let mut cmd = crate::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "rcx", &mut script);
    let mut out = Output::new(None, &[])?;
    out.print(&script)?;
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}
