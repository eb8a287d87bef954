"""The anchor signing key on disk (XINYONG_ANCHOR_KEY_FILE): created once, read to sign.

PKCS#8 PEM, unencrypted (the job signs unattended), mode 600; a file readable by group or
others is refused, as is the master key file. Never overwritten: a new key would make every
anchor published so far unverifiable with the key the public page shows.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from xinyong.kernel.errors import ConfigurationError, Conflict


def _required(path: Path | None) -> Path:
    if path is None:
        raise ConfigurationError(
            "no anchor key: set XINYONG_ANCHOR_KEY_FILE",
            "未配置账本锚点签名密钥：请设置 XINYONG_ANCHOR_KEY_FILE（私钥文件路径），"
            "并以 xinyong audit keygen 生成",
        )
    return path


def generate(path: Path | None) -> Ed25519PublicKey:
    """Write a new private key to ``path`` (mode 600); refuses when the file exists."""
    target = _required(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: an existing key, or one created meanwhile, is never replaced.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(
            f"anchor key file exists: {target}",
            f"签名密钥文件已存在，不予覆盖：{target}（换用新密钥会使已发布的锚点无法用公布的公钥核验）",
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key.public_key()


def load_private(path: Path | None) -> Ed25519PrivateKey:
    target = _required(path)
    try:
        mode = target.stat().st_mode
        data = target.read_bytes()
    except OSError:
        raise ConfigurationError(
            "XINYONG_ANCHOR_KEY_FILE cannot be read",
            f"无法读取签名密钥文件（XINYONG_ANCHOR_KEY_FILE）：{target}；"
            "尚未生成时请执行 xinyong audit keygen",
        ) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            "XINYONG_ANCHOR_KEY_FILE is readable by group or others",
            f"签名密钥文件 {target} 的权限过宽（组或其他用户可访问）：请执行 chmod 600 {target}",
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(
            "XINYONG_ANCHOR_KEY_FILE is not an unencrypted Ed25519 private key (PEM)",
            f"签名密钥文件 {target} 不是未加密的 Ed25519 私钥（PEM）",
        )
    return key


def load_public(path: Path | None) -> Ed25519PublicKey:
    return load_private(path).public_key()


def configured_public(path: Path | None) -> Ed25519PublicKey | None:
    """The public key to publish, or None when no usable key is configured (the public page
    says so rather than failing)."""
    if path is None:
        return None
    try:
        return load_public(path)
    except ConfigurationError:
        return None
