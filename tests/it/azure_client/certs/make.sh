#!/usr/bin/env bash
# Regenerates the client-certificate fixtures of tests/it/azure_client/credentials.rs with
# the OpenSSL CLI (run by hand; the tests only read the files). Test keys only: they sign
# nothing but assertions for the loopback emulator.
#   cert.pem + key.pem          the service principal's certificate (100 years) and PKCS#8 key
#   key-pkcs1.pem               the same key as PKCS#1 ("RSA PRIVATE KEY")
#   key-encrypted.pem           the same key, PKCS#8 encrypted with PBES2/AES-256 (password below)
#   bundle.pem                  certificate + key in one PEM file
#   openssl3.pfx                PKCS#12 as OpenSSL 3 writes it: PBES2 AES-256-CBC, PBKDF2-SHA256, SHA-256 MAC
#   legacy.pfx                  PKCS#12 as older tools write it (-legacy): RC2-40 certificates, 3DES key, SHA-1 MAC
#   nopassword.pfx              PKCS#12 exported with an empty password
#   other-cert.pem              a certificate of another key (a mismatch with key.pem)
set -euo pipefail
cd "$(dirname "$0")"
PW=pfx-password
openssl req -x509 -newkey rsa:2048 -keyout key.pem -out cert.pem -days 36500 -nodes -subj /CN=aifactory-test-sp 2>/dev/null
openssl rsa -in key.pem -traditional -out key-pkcs1.pem 2>/dev/null
openssl pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -passout "pass:$PW" -out key-encrypted.pem
cat cert.pem key.pem > bundle.pem
openssl pkcs12 -export -in cert.pem -inkey key.pem -passout "pass:$PW" -out openssl3.pfx
openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -passout "pass:$PW" -out legacy.pfx
openssl pkcs12 -export -in cert.pem -inkey key.pem -passout pass: -out nopassword.pfx
openssl req -x509 -newkey rsa:2048 -keyout /dev/null -out other-cert.pem -days 36500 -nodes -subj /CN=aifactory-other 2>/dev/null
