//! Memory and CPU time of processes, read from `/proc`.
//!
//! A server is measured as a process tree (the pid given and all its descendants), so a
//! server that forks workers (the Node peer under `cluster`) is measured whole. RSS is the
//! sum of `VmRSS`; shared pages (code, libraries) are counted once per process, which
//! inflates the absolute figure but not the delta a run makes. CPU time is `utime + stime`
//! from `/proc/PID/stat`, in clock ticks of 1/100 s (`USER_HZ` is 100 on Linux).

use std::collections::HashMap;
use std::fs;

/// Clock ticks per second of `/proc/PID/stat` times.
const USER_HZ: f64 = 100.0;

/// `VmRSS` in KiB from the text of `/proc/PID/status`.
pub fn parse_vmrss_kib(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// `(ppid, utime ticks, stime ticks)` from the text of `/proc/PID/stat`.
pub fn parse_stat(stat: &str) -> Option<(u32, u64, u64)> {
    // The command name is in parentheses and may itself contain spaces or parentheses.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    Some((
        fields.get(1)?.parse().ok()?,
        fields.get(11)?.parse().ok()?,
        fields.get(12)?.parse().ok()?,
    ))
}

/// `pid` and all its descendants that are alive now.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some((ppid, _, _)) = fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .as_deref()
                .and_then(parse_stat)
            {
                children.entry(ppid).or_default().push(p);
            }
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&out[i]) {
            out.extend(c);
        }
        i += 1;
    }
    out
}

/// Sum of `VmRSS` over the tree of `pid`, in KiB (`None` if `pid` is gone).
pub fn tree_rss_kib(pid: u32) -> Option<u64> {
    let own = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let mut total = parse_vmrss_kib(&own)?;
    for p in tree(pid).into_iter().skip(1) {
        if let Some(kib) = fs::read_to_string(format!("/proc/{p}/status"))
            .ok()
            .as_deref()
            .and_then(parse_vmrss_kib)
        {
            total += kib;
        }
    }
    Some(total)
}

/// CPU seconds (user + system) used so far by the tree of `pid`.
pub fn tree_cpu_s(pid: u32) -> f64 {
    tree(pid).into_iter().map(cpu_s).sum()
}

/// CPU seconds (user + system) used so far by one process (0 if it is gone).
pub fn cpu_s(pid: u32) -> f64 {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .as_deref()
        .and_then(parse_stat)
        .map_or(0.0, |(_, u, s)| (u + s) as f64 / USER_HZ)
}

/// CPU seconds (user + system) used so far by this process.
pub fn self_cpu_s() -> f64 {
    cpu_s(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vmrss() {
        let status = "Name:\tarmoricore\nVmPeak:\t  900 kB\nVmRSS:\t   12345 kB\nThreads:\t4\n";
        assert_eq!(parse_vmrss_kib(status), Some(12345));
        assert_eq!(parse_vmrss_kib("Name:\tx\n"), None);
    }

    #[test]
    fn reads_stat_even_with_parentheses_in_the_name() {
        let stat = "4242 (tokio (peer) x) S 17 4242 17 0 -1 4194560 500 0 0 0 731 204 0 0 20 0 3 0";
        assert_eq!(parse_stat(stat), Some((17, 731, 204)));
        assert_eq!(parse_stat("1 (x) S"), None);
    }

    #[test]
    fn this_process_is_its_own_tree_root_and_has_memory() {
        let me = std::process::id();
        assert_eq!(tree(me)[0], me);
        assert!(tree_rss_kib(me).unwrap() > 0);
    }
}
