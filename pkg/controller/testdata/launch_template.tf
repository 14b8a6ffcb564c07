# Terraform's aws_launch_template against ec2lab's Query API on a
# controller with fake hosts (edges_terraform_test.go): nothing here knows
# it is not talking to AWS.

variable "endpoint" { type = string }
variable "credentials_file" { type = string }
variable "image_id" { type = string }
variable "greeting" {
  type    = string
  default = "hello"
}

provider "aws" {
  region                   = "lab-1"
  shared_credentials_files = [var.credentials_file]
  profile                  = "ec2lab"
  skip_region_validation   = true
  skip_metadata_api_check  = true
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
    iam = var.endpoint
  }
}

data "aws_vpc" "default" {
  default = true
}

data "aws_security_group" "default" {
  vpc_id = data.aws_vpc.default.id
  name   = "default"
}

resource "aws_launch_template" "web" {
  name                    = "web"
  description             = "web servers"
  image_id                = var.image_id
  instance_type           = "lab.tiny"
  user_data               = base64encode("#!/bin/sh\necho ${var.greeting}\n")
  update_default_version  = true
  vpc_security_group_ids  = [data.aws_security_group.default.id]
  disable_api_termination = false
  ebs_optimized           = false

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = 2
      volume_type           = "gp3"
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = false
  }

  placement {
    availability_zone = "lab-1a"
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "web" }
  }

  tags = { team = "lab" }
}

resource "aws_launch_template" "prefixed" {
  name_prefix   = "batch-"
  instance_type = "lab.tiny"
  image_id      = var.image_id
}

data "aws_launch_template" "web" {
  name = aws_launch_template.web.name
}

output "latest_version" {
  value = aws_launch_template.web.latest_version
}

output "default_version" {
  value = aws_launch_template.web.default_version
}

output "data_source_type" {
  value = data.aws_launch_template.web.instance_type
}
