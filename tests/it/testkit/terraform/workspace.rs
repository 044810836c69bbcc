//! Working directories: temporary (or kept with `AIFACTORY_KEEP_WORKDIR=1`) and the
//! writing of a step's configuration files.

use super::*;
use std::fs;
use std::io::{self};
use std::path::PathBuf;

pub(super) struct WorkDir {
    pub(super) path: PathBuf,
    _guard: Option<tempfile::TempDir>,
}

impl WorkDir {
    pub(super) fn new(label: &str) -> io::Result<WorkDir> {
        let prefix: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = tempfile::Builder::new()
            .prefix(&format!("aifactory-acc-{prefix}-"))
            .tempdir()?;
        if env_flag("AIFACTORY_KEEP_WORKDIR") {
            let path = dir.keep();
            eprintln!("note: keeping working dir {}", path.display());
            Ok(WorkDir { path, _guard: None })
        } else {
            Ok(WorkDir {
                path: dir.path().to_path_buf(),
                _guard: Some(dir),
            })
        }
    }

    /// Replaces the configuration files (*.tf, *.tf.json) with `files`.
    pub(super) fn write_config(&self, files: &Files) -> Result<(), Failure> {
        let io_err = |e: io::Error| {
            Failure::plain(
                "",
                format!("writing config in {}: {e}", self.path.display()),
            )
        };
        for entry in fs::read_dir(&self.path).map_err(io_err)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (name.ends_with(".tf") || name.ends_with(".tf.json")) && entry.path().is_file() {
                fs::remove_file(entry.path()).map_err(io_err)?;
            }
        }
        for (name, contents) in files {
            let path = self.path.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io_err)?;
            }
            fs::write(path, contents).map_err(io_err)?;
        }
        Ok(())
    }
}
