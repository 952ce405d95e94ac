export * from "@aws-crypto/client-browser";
