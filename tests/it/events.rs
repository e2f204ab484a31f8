//! `events`: what each command did, in docker's words and order.

use crate::util::*;

/// `events --since SINCE --until NOW+1 ARGS`: what the journal holds since then.
fn past(env: &Env, since: &str, args: &[&str]) -> String {
    let until = (now() + 1).to_string();
    let mut all = vec!["events", "--since", since, "--until", &until];
    all.extend_from_slice(args);
    env.ok(&all)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_run_s_events_come_in_order_with_the_exit_code() {
    let env = Env::with_busybox();
    let t = now().to_string();
    env.code(
        3,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "--name",
            "evented",
            "busybox",
            "sh",
            "-c",
            "exit 3",
        ],
    );
    let until = (now() + 1).to_string();
    let out = past(
        &env,
        &t,
        &[
            "--filter",
            "type=container",
            "--format",
            "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}",
        ],
    );
    // A missing key is Go's "<no value>", as docker prints it.
    assert_eq!(out, "create evented <no value>\nstart evented <no value>\ndie evented 3\ndestroy evented <no value>\n");
    // docker's default line, and JSON with the old fields.
    let out = past(&env, &t, &["--filter", "event=die"]);
    assert!(
        out.contains(" container die ")
            && out.contains("(exitCode=3, image=busybox, name=evented)"),
        "{out}"
    );
    let out = env.ok(&[
        "system",
        "events",
        "--since",
        &t,
        "--until",
        &until,
        "--filter",
        "event=start",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["Type"], "container");
    assert_eq!(v["status"], "start");
    assert_eq!(v["from"], "busybox");
    assert_eq!(v["Actor"]["Attributes"]["name"], "evented");
    assert!(v["timeNano"].as_i64().unwrap() / 1_000_000_000 == v["time"].as_i64().unwrap());
}

#[test]
fn events_follow_new_ones_and_cover_volumes_images_and_stop() {
    let env = Env::with_busybox();
    let mut follower = env.cmd(&["events", "--format", "{{.Type}} {{.Action}}"]);
    follower.stdout(std::process::Stdio::piped());
    let mut child = follower.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    env.ok(&["volume", "create", "evvol"]);
    env.ok(&["tag", "busybox", "me/evt:1"]);
    let id = env.ok(&["run", "-d", "--network", "none", "busybox", "sleep", "30"]);
    env.ok(&["stop", "-t", "1", id.trim()]);
    env.ok(&["rm", id.trim()]);
    env.ok(&["rmi", "me/evt:1"]);
    env.ok(&["volume", "rm", "evvol"]);
    std::thread::sleep(std::time::Duration::from_millis(400));
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let want = [
        "volume create",
        "image tag",
        "container create",
        "container start",
        "container kill",
        "container die",
        "container stop",
        "container destroy",
        "image untag",
        "volume destroy",
    ];
    let mut at = 0;
    for w in want {
        let i = text[at..]
            .find(w)
            .unwrap_or_else(|| panic!("no {w:?} after {at} in:\n{text}"));
        at += i + w.len();
    }
    // Bad input: docker's words.
    let (_, err) = env.code(1, &["events", "--filter", "bogus=1", "--until", "1"]);
    assert!(err.contains("invalid filter 'bogus'"), "{err}");
    let (_, err) = env.code(1, &["events", "--since", "yesterday-ish"]);
    assert!(err.contains("--since"), "{err}");
}

#[test]
fn a_health_change_is_an_event_and_so_are_save_and_load() {
    let env = Env::with_busybox();
    let t = now().to_string();
    let id = env.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--health-cmd",
        "true",
        "--health-interval",
        "200ms",
        "busybox",
        "sleep",
        "30",
    ]);
    let id = id.trim();
    let seen = wait_for(10.0, || {
        past(
            &env,
            &t,
            &["--filter", "type=container", "--format", "{{.Action}}"],
        )
        .contains("health_status: healthy")
    });
    assert!(seen, "no health_status: healthy event");
    env.ok(&["rm", "-f", id]);
    let tar = env.dir.join("bb.tar");
    env.ok(&["save", "-o", tar.to_str().unwrap(), "busybox"]);
    env.ok(&["load", "-i", tar.to_str().unwrap()]);
    let out = past(
        &env,
        &t,
        &[
            "--filter",
            "type=image",
            "--format",
            "{{.Action}} {{.Actor.ID}}",
        ],
    );
    assert!(
        out.contains("save busybox\n") && out.contains("load busybox:latest\n"),
        "{out}"
    );
}
