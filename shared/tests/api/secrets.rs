//! Reading the Gemini key from AWS, against a local mock of the Secrets Manager and SSM APIs.

use serde_json::json;
use shared::secrets::fetch;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_partial_json, header, method},
};

async fn aws_pointing_at(server: &MockServer) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-west-1"))
        .endpoint_url(server.uri())
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            "AKIDTEST",
            "test-secret",
            None,
            None,
            "test",
        ))
        .load()
        .await
}

fn amz_json(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .set_body_json(body)
}

#[tokio::test]
async fn the_key_is_read_from_secrets_manager_or_ssm() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "secretsmanager.GetSecretValue"))
        .and(body_partial_json(json!({"SecretId": "helpdesk/gemini"})))
        .respond_with(amz_json(json!({
            "ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:helpdesk/gemini-AbCdEf",
            "Name": "helpdesk/gemini",
            "SecretString": "{\"GEMINI_API_KEY\": \"AIza-from-secrets-manager\"}"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "AmazonSSM.GetParameter"))
        .and(body_partial_json(json!({"Name": "/helpdesk/gemini", "WithDecryption": true})))
        .respond_with(amz_json(json!({
            "Parameter": {"Name": "/helpdesk/gemini", "Type": "SecureString", "Value": "AIza-from-ssm", "Version": 1}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let aws = aws_pointing_at(&server).await;

    let from_secrets_manager = fetch(&aws, "helpdesk/gemini").await.unwrap();
    assert_eq!(from_secrets_manager.expose(), "AIza-from-secrets-manager");
    let from_ssm = fetch(&aws, "ssm:/helpdesk/gemini").await.unwrap();
    assert_eq!(from_ssm.expose(), "AIza-from-ssm");
}

#[tokio::test]
async fn a_missing_secret_is_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("content-type", "application/x-amz-json-1.1")
                .set_body_json(json!({"__type": "ResourceNotFoundException", "message": "Secrets Manager can't find the specified secret."})),
        )
        .mount(&server)
        .await;
    let error = fetch(&aws_pointing_at(&server).await, "helpdesk/missing")
        .await
        .unwrap_err();
    assert!(
        error.contains("GetSecretValue") && error.contains("ResourceNotFoundException"),
        "{error}"
    );
}
