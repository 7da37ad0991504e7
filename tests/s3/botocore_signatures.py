# Re-derives the two botocore signatures tests/s3_signer_test.cpp pins, with Debian's python3-botocore (apt-get install
# python3-botocore; not needed to run the tests): python3 tests/s3/botocore_signatures.py
import datetime
from unittest import mock
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
creds = Credentials("AKIDTHUMBGEN", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
fixed = datetime.datetime(2026, 12, 4, 22, 21, 44)
def sign(method, url, params, body, headers):
    req = AWSRequest(method=method, url=url, params=params, data=body, headers=headers)
    with mock.patch('botocore.auth.datetime') as dt:
        dt.datetime.utcnow.return_value = fixed
        dt.datetime.now.return_value = fixed
        S3SigV4Auth(creds, "s3", "us-west-004").add_auth(req)
    return req.headers["Authorization"]
print(sign("GET", "http://127.0.0.1:9000/gallery", [("prefix","media/thumbs/"),("list-type","2"),("continuation-token","1Nd+qUk/ab=="),("max-keys","1000")], b"", {}))
print(sign("PUT", "http://127.0.0.1:9000/gallery/media/thumbs/12/Ab_c-d.e.jpg", None, b"Welcome to thumbgen.", {"Content-Type":"image/jpeg","Content-MD5":"joyuoGLzipcMFfr4wFWwfw=="}))
