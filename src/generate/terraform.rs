//! `terraform/main.tf`: the same functions for Terraform's AWS provider.
//!
//! Per function: an execution role with `AWSLambdaBasicExecutionRole` only, a log
//! group with retention, the function from the zip (`source_code_hash =
//! filebase64sha256(…)`, so a changed zip is a changed function), an alias, and
//! outputs comparing the `code_sha256` AWS reports with the manifest's.

use std::fmt::Write as _;

use super::function::Function;
use super::quote::hcl;

/// Where main.tf goes, relative to the workspace root; zip paths start from it.
pub(crate) const DIR: &str = "terraform";

const FUNCTION_SKIPS: &[(&str, &str)] = &[
    ("CKV_AWS_116", "No dead-letter queue: no asynchronous trigger is defined here; add one (and its queue) with the trigger"),
    ("CKV_AWS_117", "Not in a VPC: the function reaches no private resource, and a VPC adds ENIs and NAT costs"),
    ("CKV_AWS_115", "No reserved concurrency: it would take capacity from the account pool; set it when the function has a known peak"),
    ("CKV_AWS_50", "X-Ray tracing is opt-in: it needs permissions beyond basic execution and costs per trace"),
    ("CKV_AWS_272", "Code signing needs a signing profile; the zip's integrity is checked by source_code_hash and the CodeSha256 outputs"),
];
const LOG_GROUP_SKIPS: &[(&str, &str)] = &[
    ("CKV_AWS_158", "Logs are encrypted with the CloudWatch Logs service key; a customer KMS key costs more than a small function"),
    ("CKV_AWS_338", "Retention is [package.metadata.slim.deploy] log-retention-days: a year of logs costs more than a small function needs"),
];

pub(crate) fn render(functions: &[Function]) -> String {
    let mut t = String::new();
    t.push_str(
        r#"terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.40 added logging_config; code_sha256 is reported since 5.0.
      version = ">= 5.40.0"
    }
  }
}

data "aws_iam_policy_document" "lambda_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
"#,
    );
    for f in functions {
        function(&mut t, f);
    }
    t
}

/// `key = value` lines with the `=` aligned, as `terraform fmt` writes them.
fn attrs(t: &mut String, indent: usize, pairs: &[(&str, String)]) {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in pairs {
        let _ = writeln!(t, "{:indent$}{k:<width$} = {v}", "");
    }
}

fn skips(t: &mut String, list: &[(&str, &str)]) {
    for (id, why) in list {
        let _ = writeln!(t, "  # checkov:skip={id}: {why}");
    }
}

/// Every resource and output of one function: a comment naming it, then its
/// role, log group, function, alias and outputs.
fn function(t: &mut String, f: &Function) {
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "# {} ({}), {}",
        f.bin,
        f.target.triple,
        f.runtime.as_str()
    );
    role(t, f);
    log_group(t, f);
    lambda_function(t, f);
    alias(t, f);
    outputs(t, f);
}

/// The execution role, with `AWSLambdaBasicExecutionRole` only.
fn role(t: &mut String, f: &Function) {
    let id = &f.tf_id;
    let _ = writeln!(t, "resource \"aws_iam_role\" \"{id}\" {{");
    attrs(
        t,
        2,
        &[
            (
                "name_prefix",
                hcl(&format!("{}-", truncate(&f.function_name, 37))),
            ),
            (
                "assume_role_policy",
                "data.aws_iam_policy_document.lambda_assume_role.json".into(),
            ),
        ],
    );
    let _ = writeln!(t, "}}\n");
    let _ = writeln!(
        t,
        "resource \"aws_iam_role_policy_attachment\" \"{id}_logs\" {{"
    );
    attrs(
        t,
        2,
        &[
            ("role", format!("aws_iam_role.{id}.name")),
            (
                "policy_arn",
                hcl("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
            ),
        ],
    );
    let _ = writeln!(t, "}}\n");
}

/// The function's log group, with the retention of the deploy settings.
fn log_group(t: &mut String, f: &Function) {
    let id = &f.tf_id;
    let d = &f.deploy;
    let _ = writeln!(t, "resource \"aws_cloudwatch_log_group\" \"{id}\" {{");
    skips(t, LOG_GROUP_SKIPS);
    attrs(
        t,
        2,
        &[
            ("name", hcl(&format!("/aws/lambda/{}", f.function_name))),
            ("retention_in_days", d.log_retention_days.to_string()),
        ],
    );
    let _ = writeln!(t, "}}\n");
}

/// The function from the zip: a changed zip is a changed function.
fn lambda_function(t: &mut String, f: &Function) {
    let id = &f.tf_id;
    let d = &f.deploy;
    let zip = format!("${{path.module}}/../{}", f.zip_path());
    let _ = writeln!(t, "resource \"aws_lambda_function\" \"{id}\" {{");
    skips(t, FUNCTION_SKIPS);
    // `zip` starts with `${path.module}`: an interpolation we mean, so it is
    // written raw; the rest of it is a checked relative path.
    attrs(
        t,
        2,
        &[
            ("function_name", hcl(&f.function_name)),
            ("filename", format!("\"{zip}\"")),
            ("source_code_hash", format!("filebase64sha256(\"{zip}\")")),
            ("handler", hcl("bootstrap")),
            ("runtime", hcl(f.runtime.as_str())),
            ("architectures", format!("[{}]", hcl(f.arch()))),
            ("memory_size", d.memory.to_string()),
            ("timeout", d.timeout.to_string()),
            ("role", format!("aws_iam_role.{id}.arn")),
            ("publish", "true".into()),
        ],
    );
    let _ = writeln!(t);
    let _ = writeln!(t, "  logging_config {{");
    attrs(
        t,
        4,
        &[
            ("log_format", hcl("Text")),
            ("log_group", format!("aws_cloudwatch_log_group.{id}.name")),
        ],
    );
    let _ = writeln!(t, "  }}\n");
    let _ = writeln!(
        t,
        "  depends_on = [aws_iam_role_policy_attachment.{id}_logs]"
    );
    let _ = writeln!(t, "}}\n");
}

/// The alias traffic goes to.
fn alias(t: &mut String, f: &Function) {
    let id = &f.tf_id;
    let d = &f.deploy;
    let _ = writeln!(t, "resource \"aws_lambda_alias\" \"{id}\" {{");
    attrs(
        t,
        2,
        &[
            ("name", hcl(&d.alias)),
            (
                "function_name",
                format!("aws_lambda_function.{id}.function_name"),
            ),
            (
                "function_version",
                format!("aws_lambda_function.{id}.version"),
            ),
        ],
    );
    let _ = writeln!(t, "}}\n");
}

/// The `code_sha256` AWS reports, and whether it is the manifest's.
fn outputs(t: &mut String, f: &Function) {
    let id = &f.tf_id;
    let _ = writeln!(t, "output \"{id}_code_sha256\" {{");
    attrs(
        t,
        2,
        &[
            (
                "description",
                hcl("CodeSha256 AWS reports for the deployed code"),
            ),
            ("value", format!("aws_lambda_function.{id}.code_sha256")),
        ],
    );
    let _ = writeln!(t, "}}\n");
    let _ = writeln!(t, "output \"{id}_code_sha256_matches_manifest\" {{");
    attrs(
        t,
        2,
        &[
            (
                "description",
                hcl("true when AWS reports the CodeSha256 in slim-manifest.json (zip.code_sha256)"),
            ),
            (
                "value",
                format!(
                    "aws_lambda_function.{id}.code_sha256 == {}",
                    hcl(&f.code_sha256)
                ),
            ),
        ],
    );
    let _ = writeln!(t, "}}");
}

fn truncate(s: &str, max: usize) -> &str {
    s.get(..max).unwrap_or(s)
}
