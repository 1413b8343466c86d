//! `casecoach completions SHELL` and `casecoach man`: what command-line users expect of a tool,
//! made from the same clap definition the program parses, so they cannot fall out of date.

use anyhow::Result;

pub fn completions(shell: clap_complete::Shell, mut cmd: clap::Command) -> Result<()> {
    clap_complete::generate(shell, &mut cmd, "casecoach", &mut std::io::stdout());
    Ok(())
}

pub fn man(cmd: clap::Command) -> Result<()> {
    clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
    Ok(())
}
