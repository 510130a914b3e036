#pragma once
// The AWS backend of the store seam: SSM Parameter Store and S3, spoken by
// aws/ssm and aws/s3 through one aws::Client.
#include <memory>

#include "aws/client.h"
#include "store/store.h"

namespace handoff::store {

struct AwsBackend {
  std::shared_ptr<aws::Client> client;  ///< region(), account_id(), stats()
  std::unique_ptr<ParameterStore> params;
  std::unique_ptr<ObjectStore> objects;
};

/// Build the backend; nothing is sent until the first call.
AwsBackend open_aws_backend(aws::ClientConfig config = {});

std::unique_ptr<ParameterStore> make_aws_parameter_store(std::shared_ptr<aws::Client> client);
std::unique_ptr<ObjectStore> make_aws_object_store(std::shared_ptr<aws::Client> client);

}  // namespace handoff::store
