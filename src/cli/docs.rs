//! Man pages and shell completions, generated from the clap definitions
//! (the single source of truth). A test checks the committed copies.

use super::Cli;
use clap::CommandFactory;
use std::fs;
use std::io;
use std::path::Path;

/// Writes man/*.1 and completions/{strata.bash,_strata,strata.fish} under `dir`.
pub fn generate(dir: &Path) -> io::Result<()> {
    let man = dir.join("man");
    let comp = dir.join("completions");
    fs::create_dir_all(&man)?;
    fs::create_dir_all(&comp)?;
    let mut cmd = Cli::command();
    cmd.build();
    write_man(&man, &cmd, "strata")?;
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("strata-{}", sub.get_name());
        write_man(&man, sub, &name)?;
        for subsub in sub
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            write_man(&man, subsub, &format!("{name}-{}", subsub.get_name()))?;
        }
    }
    for (shell, file) in [
        (clap_complete::Shell::Bash, "strata.bash"),
        (clap_complete::Shell::Zsh, "_strata"),
        (clap_complete::Shell::Fish, "strata.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "strata", &mut buf);
        fs::write(comp.join(file), buf)?;
    }
    Ok(())
}

fn write_man(dir: &Path, cmd: &clap::Command, name: &str) -> io::Result<()> {
    // clap wants 'static names; this runs once per page in a short-lived process.
    let name: &'static str = Box::leak(name.to_string().into_boxed_str());
    let cmd = cmd.clone().name(name);
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    fs::write(dir.join(format!("{name}.1")), buf)
}
