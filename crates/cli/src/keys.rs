//! `jineng keys`: the certificate signing keys (docs/credentials.md,
//! "Keys"). `rotate` makes a new key and keeps the old public keys in the
//! DID document, so that credentials signed before still verify; `show`
//! tells where the key file is and which keys it holds, or prints the DID
//! document a verifier would fetch.

use crate::CredentialArgs;
use clap::Subcommand;
use jineng_credentials::multikey;
use jineng_store::{Actor, Store};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// 轮换签名密钥：生成新密钥，旧公钥保留在 DID 文档中，已签发的证书仍可验证（记入审计日志）
    Rotate,
    /// 显示签名密钥文件位置、did:web 与各密钥（--did-document：打印 DID 文档）
    Show {
        /// 打印 DID 文档（/.well-known/did.json 的内容）
        #[arg(long)]
        did_document: bool,
    },
}

pub async fn run(
    db: &str,
    actor: &Actor,
    cred: &CredentialArgs,
    cmd: KeysCommand,
) -> anyhow::Result<ExitCode> {
    let store = Store::connect(db).await?;
    let creds = cred.credentials(&store)?;
    let did = creds.issuer().did().to_string();
    let place = creds.key_file().map_or("（仅在内存中）".to_string(), |p| {
        p.display().to_string()
    });
    match cmd {
        KeysCommand::Rotate => {
            let old = creds.keys()?;
            let new = creds.rotate()?;
            store
                .record_key_rotation(&old.key_id(&did), &new.key_id(&did), actor)
                .await?;
            println!("已轮换签名密钥（密钥文件 {place}）");
            println!("新密钥：{}", new.key_id(&did));
            println!(
                "旧密钥 {} 个仍列于 DID 文档，此前签发的证书仍可验证",
                new.retired().len()
            );
        }
        KeysCommand::Show { did_document: true } => {
            println!("{}", serde_json::to_string_pretty(&creds.did_document()?)?);
        }
        KeysCommand::Show {
            did_document: false,
        } => {
            let keys = creds.keys()?;
            println!("密钥文件：{place}");
            println!(
                "签发者：{did}（DID 文档：{}/.well-known/did.json）",
                creds.issuer().public_url()
            );
            println!(
                "当前密钥：{}（{} 起）",
                multikey::encode_public(&keys.public()),
                keys.created()
            );
            for r in keys.retired() {
                println!(
                    "已轮换：{}（{} 至 {}）",
                    multikey::encode_public(&r.public),
                    r.created,
                    r.retired
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
