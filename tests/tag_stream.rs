//! `opstance tag -` on a long stdin: output comes out while input is still
//! going in (it plugs into pipes, `rdd.pipe`, GNU parallel), and memory stays
//! flat however long the stream is.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn vm_hwm_kb(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn claim(i: usize) -> String {
    format!(
        "{{\"id\":\"c{i}\",\"text\":\"Claim {i}: Ukraine must never accept the illegal annexation of Crimea, and the nuclear threats are a bluff that should not deter anyone.\"}}\n"
    )
}

#[test]
fn output_flows_before_input_ends_and_memory_stays_flat() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_opstance"))
        .args(["-q", "--threads", "2", "tag", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read output on another thread, counting lines as they arrive.
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let reader = std::thread::spawn(move || {
        let mut n = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            assert!(line.starts_with("{\"id\":\"c"), "{line}");
            n += 1;
            let _ = tx.send(n);
        }
        n
    });

    const CHUNK: usize = 20_000; // ≈ 3 MB of JSON per chunk
    let mut sent = 0;
    let mut hwm = Vec::new();
    for _ in 0..8 {
        let mut buf = String::with_capacity(CHUNK * 160);
        for _ in 0..CHUNK {
            buf.push_str(&claim(sent));
            sent += 1;
        }
        stdin.write_all(buf.as_bytes()).unwrap();
        stdin.flush().unwrap();
        // Output for most of what was sent appears while stdin stays open.
        let mut seen = 0;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while seen + 2 * 4096 < sent && std::time::Instant::now() < deadline {
            if let Ok(n) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
                seen = n;
            }
            while let Ok(n) = rx.try_recv() {
                seen = n;
            }
        }
        assert!(
            seen + 2 * 4096 >= sent,
            "only {seen} of {sent} lines came out while stdin was open"
        );
        hwm.push(vm_hwm_kb(pid));
    }
    drop(stdin);
    assert_eq!(reader.join().unwrap(), sent);
    assert!(child.wait().unwrap().success());
    // Peak memory after 2 chunks vs after 8 (≈ 6 MB vs 25 MB of input):
    // bounded batches mean no growth beyond noise.
    let (early, late) = (hwm[1], hwm[7]);
    eprintln!("VmHWM after each chunk (kB): {hwm:?}");
    assert!(early > 0, "could not read VmHWM");
    assert!(
        late < early + 16 * 1024,
        "memory grew with the stream: {early} kB -> {late} kB"
    );
}
