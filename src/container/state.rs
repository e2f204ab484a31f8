//! A container's run state and the liveness rule: a stored pid counts only
//! while /proc/PID/stat shows the same start time and is not a zombie, so
//! a reused pid never makes a dead container look alive.

use serde::{Deserialize, Serialize};

/// docker's machine-readable states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Exited,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Exited => "exited",
        }
    }
}

/// What is known of a container's process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    #[serde(default)]
    pub pid: i32,
    /// Start time of `pid` in clock ticks since boot (/proc/PID/stat field 22).
    #[serde(default)]
    pub pid_start: u64,
    /// The process that supervises the container (a foreground `run`, or
    /// a monitor) and its start time: while it lives, it records the exit.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub supervisor: i32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub supervisor_start: u64,
    #[serde(default)]
    pub exit_code: i32,
    /// The kernel's OOM killer killed a process of it (its memory limit).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub oom_killed: bool,
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    /// How often the monitor restarted it (`--restart`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restart_count: u32,
    /// `stop` or `kill` ended it: its restart policy does not apply.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stopped_by_user: bool,
    /// Frozen by `pause` (its cgroup), while running.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub paused: bool,
    /// On the bridge, while running: the container's address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ip_address: String,
    /// Published ports, as they are while running.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<crate::oci::PortBinding>,
    /// While running: the other user networks it is on, each with its
    /// address and link in the container (`eth1`, ...).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub endpoints: std::collections::BTreeMap<String, Joined>,
}

/// An address on one more network, while running.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Joined {
    pub ip: String,
    pub ifname: String,
}

/// A container's status transitions, in one place (as runc's and
/// youki's): what each verb may do in each state.
impl State {
    /// Started and not yet seen to exit (paused or not).
    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }

    /// Frozen by `pause`.
    pub fn is_paused(&self) -> bool {
        self.is_running() && self.paused
    }

    /// `start` (and `run`): not while it runs.
    pub fn can_start(&self) -> bool {
        !self.is_running()
    }

    /// `kill`, `stop`, `exec`, `top`, `attach`: only while it runs.
    pub fn can_signal(&self) -> bool {
        self.is_running()
    }

    /// `pause`: running and not paused; `unpause`: paused.
    pub fn can_pause(&self, pause: bool) -> bool {
        self.is_running() && self.paused != pause
    }

    /// `rm`: not while it runs, unless forced.
    pub fn can_remove(&self, force: bool) -> bool {
        force || !self.is_running()
    }

    /// docker's `State.Status`: `paused` is a status of its own there.
    pub fn docker_status(&self) -> &'static str {
        if self.is_paused() {
            "paused"
        } else {
            self.status.as_str()
        }
    }
}

pub use crate::util::proc::{is_alive, proc_stat};

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
