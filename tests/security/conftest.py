"""Shared by the security suite."""
import schemathesis

# The register import takes the workbook as the raw body: schemathesis sends it as bytes,
# like application/octet-stream.
schemathesis.serializer.alias("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "application/octet-stream")
