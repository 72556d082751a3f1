//! `helpdesk eval --provider rules`: measures the built-in fallback with no database at all.

use std::process::Command;

#[test]
fn eval_of_the_rules_prints_the_figures_without_a_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["eval", "--provider", "rules"])
        .env_remove("DATABASE_URL")
        .env("CLASSIFIER", "rules")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "provider: rules",
        "tickets: 1070 answered, 0 failed",
        "category accuracy: ",
        "priority accuracy: ",
        "category confusion",
        "priority confusion",
        "accuracy per confidence level",
        "sentiment accuracy: ",
        "language: told for ",
        "latency: p50 ",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
}
