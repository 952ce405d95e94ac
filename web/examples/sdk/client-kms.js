export * from "@aws-sdk/client-kms";
