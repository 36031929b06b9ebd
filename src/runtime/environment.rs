//! The environment variables of a provided.al2023 / provided.al2 function process:
//! the "defined runtime environment variables" of the Lambda developer guide, then
//! the user's own. Nothing else from the host reaches the function (the process
//! starts from an empty environment), as nothing of the Lambda host does.

use std::path::Path;

use super::FunctionConfig;

/// Variables a user may not set on Lambda ("reserved environment variables"):
/// `--env` refuses them as `aws lambda update-function-configuration` does. The
/// credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`)
/// are reserved too, but Lambda fills them from the execution role; locally only
/// the user can, so `--env` accepts them.
pub(crate) const RESERVED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_MAX_CONCURRENCY",
    "AWS_ACCESS_KEY",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// Where things are for one execution environment.
pub(crate) struct Places<'a> {
    pub task_root: &'a Path,
    /// The scratch directory standing in for `/tmp` (`TMPDIR`); `None` when
    /// the function has Lambda's own `/tmp`.
    pub scratch: Option<&'a Path>,
    /// `host:port` of the local Runtime API.
    pub runtime_api: &'a str,
    /// The log stream name (`YYYY/MM/DD/[$LATEST]<hex>`).
    pub log_stream: &'a str,
}

/// The whole environment of the function process, in a stable order.
pub(crate) fn variables(config: &FunctionConfig, places: &Places<'_>) -> Vec<(String, String)> {
    let task_root = places.task_root.display().to_string();
    // Lambda's LAMBDA_RUNTIME_DIR is /var/runtime, where a managed runtime lives;
    // an OS-only runtime has nothing there, and neither have we.
    let runtime_dir = "/var/runtime".to_string();
    // What Lambda Managed Instances sets (its runtime interface emulator's
    // `interop.InitializationType`); on-demand otherwise.
    let initialization_type = match config.concurrency {
        Some(_) => "lambda-managed-instances",
        None => "on-demand",
    };
    let defined: Vec<(&str, String)> = vec![
        ("_HANDLER", "bootstrap".into()),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_LAMBDA_FUNCTION_NAME", config.function_name.clone()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", config.memory_mb.to_string()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", initialization_type.into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", config.function_name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", places.log_stream.into()),
        ("AWS_LAMBDA_RUNTIME_API", places.runtime_api.into()),
        ("LAMBDA_TASK_ROOT", task_root.clone()),
        ("LAMBDA_RUNTIME_DIR", runtime_dir.clone()),
        ("LANG", "en_US.UTF-8".into()),
        ("TZ", ":UTC".into()),
        ("PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin".into()),
        (
            "LD_LIBRARY_PATH",
            format!(
                "/lib64:/usr/lib64:{runtime_dir}:{runtime_dir}/lib:{task_root}:{task_root}/lib:/opt/lib"
            ),
        ),
    ];
    let mut vars: Vec<(String, String)> = defined
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    // Lambda's writable scratch space is /tmp; without its filesystem ours is a
    // private directory, and TMPDIR points there so std::env::temp_dir() and
    // mktemp find it.
    if let Some(scratch) = places.scratch {
        vars.push(("TMPDIR".into(), scratch.display().to_string()));
    }
    if let Some(n) = config.concurrency {
        vars.push(("AWS_LAMBDA_MAX_CONCURRENCY".into(), n.to_string()));
    }
    for (key, value) in &config.user_env {
        match vars.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.clone(),
            None => vars.push((key.clone(), value.clone())),
        }
    }
    vars
}

/// `KEY=VALUE` (or `export KEY="VALUE"`, as env files write it) as a variable the
/// function may be given; the error says why not.
pub(crate) fn parse_assignment(item: &str) -> Result<(String, String), String> {
    let Some((key, value)) = item.split_once('=') else {
        return Err(format!("`{item}` is not KEY=VALUE"));
    };
    let key = key.trim();
    let key = key
        .strip_prefix("export ")
        .unwrap_or(key)
        .trim()
        .to_string();
    if let Some(why) = refuse(&key) {
        return Err(why);
    }
    let value = value.trim();
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    if unquoted.contains('\0') {
        return Err(format!("the value of {key} contains a NUL byte"));
    }
    Ok((key, unquoted.to_string()))
}

/// Why a user variable is refused, if it is: Lambda takes names of
/// `[a-zA-Z]([a-zA-Z0-9_])+` (a letter, then at least one letter, digit or `_`),
/// and none of the names it reserves.
pub(crate) fn refuse(key: &str) -> Option<String> {
    let bytes = key.as_bytes();
    let ok = bytes.len() >= 2
        && bytes[0].is_ascii_alphabetic()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if !ok {
        return Some(format!(
            "{key:?} is not a name Lambda accepts: a letter, then at least one letter, \
             digit or `_`"
        ));
    }
    RESERVED
        .contains(&key)
        .then(|| format!("`{key}` is reserved by Lambda: a deployed function cannot set it either"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defined_variables_then_the_users() {
        let mut config = FunctionConfig::new("fn");
        config.memory_mb = 512;
        config.user_env = vec![
            ("AA".into(), "1".into()),
            ("TZ".into(), "Europe/Paris".into()),
        ];
        let places = Places {
            task_root: Path::new("/t/task"),
            scratch: Some(Path::new("/t/tmp")),
            runtime_api: "127.0.0.1:9001",
            log_stream: "s",
        };
        let vars = variables(&config, &places);
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), Some("512"));
        assert_eq!(get("AWS_LAMBDA_RUNTIME_API"), Some("127.0.0.1:9001"));
        assert_eq!(get("LAMBDA_TASK_ROOT"), Some("/t/task"));
        assert_eq!(get("TZ"), Some("Europe/Paris"));
        assert_eq!(get("AA"), Some("1"));
        assert_eq!(get("HOME"), None);
        assert_eq!(get("AWS_LAMBDA_INITIALIZATION_TYPE"), Some("on-demand"));
        assert_eq!(get("AWS_LAMBDA_MAX_CONCURRENCY"), None);
        config.managed_instances(8);
        let vars = variables(&config, &places);
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("AWS_LAMBDA_MAX_CONCURRENCY"), Some("8"));
        assert_eq!(
            get("AWS_LAMBDA_INITIALIZATION_TYPE"),
            Some("lambda-managed-instances")
        );
    }

    #[test]
    fn assignments_as_env_files_write_them() {
        assert_eq!(parse_assignment("AB=1"), Ok(("AB".into(), "1".into())));
        assert_eq!(
            parse_assignment("export BB=\"two words\""),
            Ok(("BB".into(), "two words".into()))
        );
        assert!(parse_assignment("NOEQUALS").is_err());
        assert!(parse_assignment("AWS_LAMBDA_RUNTIME_API=x").is_err());
    }

    #[test]
    fn reserved_names_are_refused() {
        assert!(refuse("AWS_REGION").is_some());
        assert!(refuse("A=B").is_some());
        assert!(refuse("MY_SETTING").is_none());
    }

    #[test]
    fn names_follow_lambdas_grammar() {
        for good in ["AB", "x1", "My_Setting_2"] {
            assert_eq!(refuse(good), None, "{good}");
        }
        for bad in [
            "A",
            "I B",
            "1X",
            "_X",
            "\u{feff}AWS_REGION",
            "A-B",
            "É1",
            "",
        ] {
            assert!(refuse(bad).is_some(), "{bad:?}");
        }
    }
}
