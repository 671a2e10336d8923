//! `gatehouse healthcheck`: a container's health check.

use anyhow::Context;

/// GETs `/healthz` on the operators' listener at `listen` (an unspecified address means this
/// host's loopback); an error unless it answers 200 within three seconds.
pub(super) async fn healthcheck(listen: &str) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut address: std::net::SocketAddr = listen
        .parse()
        .with_context(|| format!("`ops.listen` '{listen}' is not host:port"))?;
    if address.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream
            .write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(3), probe)
        .await
        .with_context(|| format!("{address} did not answer in time"))?
        .with_context(|| format!("no answer from {address}"))?;
    let status_line = String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    anyhow::ensure!(
        status_line.split(' ').nth(1) == Some("200"),
        "{address}/healthz answered: {status_line}"
    );
    Ok(())
}
