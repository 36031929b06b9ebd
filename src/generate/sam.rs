//! `template.yaml`: an AWS SAM template with one function per built manifest.
//!
//! Per function: the function itself (the zip as `CodeUri`, `bootstrap`, runtime
//! and architecture from the manifest), a log group with retention, an errors
//! alarm on the alias, and a canary deployment that rolls back when it fires.
//! The role is SAM's generated one with `AWSLambdaBasicExecutionRole` only.

use std::fmt::Write as _;

use super::function::Function;
use super::quote::yaml;

/// checkov checks that do not fit a small function, skipped on the resource with
/// the reason, so `checkov` reports only what is worth acting on.
const FUNCTION_SKIPS: &[(&str, &str)] = &[
    ("CKV_AWS_116", "No dead-letter queue: this template has no asynchronous trigger; add one (and its queue) with the trigger"),
    ("CKV_AWS_117", "Not in a VPC: the function reaches no private resource, and a VPC adds ENIs and NAT costs"),
    ("CKV_AWS_115", "No reserved concurrency: it would take capacity from the account pool; set it when the function has a known peak"),
];
const LOG_GROUP_SKIPS: &[(&str, &str)] = &[
    ("CKV_AWS_158", "Logs are encrypted with the CloudWatch Logs service key; a customer KMS key costs more than a small function"),
];

pub(crate) fn render(functions: &[Function]) -> String {
    let mut y = String::new();
    let _ = writeln!(y, "AWSTemplateFormatVersion: \"2010-09-09\"");
    let _ = writeln!(y, "Transform: AWS::Serverless-2016-10-31");
    let _ = writeln!(y, "Description: Rust functions built by cargo-slim");
    let _ = writeln!(y);
    let _ = writeln!(y, "Resources:");
    for f in functions {
        function(&mut y, f);
    }
    let _ = writeln!(y);
    let _ = writeln!(y, "Outputs:");
    for f in functions {
        let id = &f.logical_id;
        let _ = writeln!(y, "  {id}Arn:");
        let _ = writeln!(y, "    Description: The function's ARN");
        let _ = writeln!(y, "    Value: !GetAtt {id}.Arn");
        let _ = writeln!(y, "  {id}ExpectedCodeSha256:");
        let _ = writeln!(
            y,
            "    Description: CodeSha256 AWS must report for this code (slim-manifest.json zip.code_sha256)"
        );
        let _ = writeln!(y, "    Value: {}", yaml(&f.code_sha256));
    }
    y
}

fn skips(y: &mut String, list: &[(&str, &str)]) {
    let _ = writeln!(y, "    Metadata:");
    let _ = writeln!(y, "      checkov:");
    let _ = writeln!(y, "        skip:");
    for (id, why) in list {
        let _ = writeln!(y, "          - id: {id}");
        let _ = writeln!(y, "            comment: {}", yaml(why));
    }
}

fn function(y: &mut String, f: &Function) {
    let id = &f.logical_id;
    let d = &f.deploy;
    let _ = writeln!(y);
    let _ = writeln!(
        y,
        "  # {} ({}), {}",
        f.bin,
        f.target.triple,
        f.runtime.as_str()
    );
    let _ = writeln!(y, "  {id}:");
    let _ = writeln!(y, "    Type: AWS::Serverless::Function");
    skips(y, FUNCTION_SKIPS);
    let _ = writeln!(y, "    Properties:");
    let _ = writeln!(y, "      CodeUri: {}", yaml(&f.zip_path()));
    let _ = writeln!(y, "      Handler: bootstrap");
    let _ = writeln!(y, "      Runtime: {}", f.runtime.as_str());
    let _ = writeln!(y, "      Architectures:");
    let _ = writeln!(y, "        - {}", f.arch());
    let _ = writeln!(y, "      MemorySize: {}", d.memory);
    let _ = writeln!(y, "      Timeout: {}", d.timeout);
    let _ = writeln!(y, "      Policies:");
    let _ = writeln!(y, "        - AWSLambdaBasicExecutionRole");
    let _ = writeln!(y, "      LoggingConfig:");
    let _ = writeln!(y, "        LogGroup: !Ref {id}LogGroup");
    let _ = writeln!(y, "      AutoPublishAlias: {}", yaml(&d.alias));
    let _ = writeln!(y, "      DeploymentPreference:");
    let _ = writeln!(y, "        Type: Canary10Percent5Minutes");
    let _ = writeln!(y, "        Alarms:");
    let _ = writeln!(y, "          - !Ref {id}ErrorsAlarm");
    let _ = writeln!(y);
    let _ = writeln!(y, "  {id}LogGroup:");
    let _ = writeln!(y, "    Type: AWS::Logs::LogGroup");
    skips(y, LOG_GROUP_SKIPS);
    let _ = writeln!(y, "    Properties:");
    let _ = writeln!(y, "      RetentionInDays: {}", d.log_retention_days);
    let _ = writeln!(y);
    let _ = writeln!(
        y,
        "  # Any error of the new version during the canary rolls the deployment back."
    );
    let _ = writeln!(y, "  {id}ErrorsAlarm:");
    let _ = writeln!(y, "    Type: AWS::CloudWatch::Alarm");
    let _ = writeln!(y, "    Properties:");
    let _ = writeln!(
        y,
        "      AlarmDescription: {}",
        yaml(&format!(
            "Errors of {} (alias {})",
            f.function_name, d.alias
        ))
    );
    let _ = writeln!(y, "      Namespace: AWS/Lambda");
    let _ = writeln!(y, "      MetricName: Errors");
    let _ = writeln!(y, "      Dimensions:");
    let _ = writeln!(y, "        - Name: Resource");
    let _ = writeln!(y, "          Value: !Sub \"${{{id}}}:{}\"", d.alias);
    let _ = writeln!(y, "        - Name: FunctionName");
    let _ = writeln!(y, "          Value: !Ref {id}");
    let _ = writeln!(y, "      Statistic: Sum");
    let _ = writeln!(y, "      Period: 60");
    let _ = writeln!(y, "      EvaluationPeriods: 1");
    let _ = writeln!(y, "      Threshold: 0");
    let _ = writeln!(y, "      ComparisonOperator: GreaterThanThreshold");
    let _ = writeln!(y, "      TreatMissingData: notBreaching");
}
