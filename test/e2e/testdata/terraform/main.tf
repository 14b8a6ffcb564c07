# A typical homelab configuration, applied unmodified against ec2lab by
# test/e2e/terraform_test.go: the hashicorp/aws provider with its endpoints
# pointed at ec2d. Nothing here knows it is not talking to AWS.

variable "endpoint" { type = string }
variable "credentials_file" { type = string }
variable "image_name" {
  type    = string
  default = "tiny"
}
variable "instance_type" {
  type    = string
  default = "t3.nano"
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

data "aws_caller_identity" "me" {}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "tiny" {
  most_recent = true
  owners      = ["self"]
  filter {
    name   = "name"
    values = [var.image_name]
  }
}

data "aws_ec2_instance_type" "small" {
  instance_type = var.instance_type
}

data "aws_ec2_instance_types" "general" {
  filter {
    name   = "instance-type"
    values = ["t3.*"]
  }
}

resource "aws_vpc" "lab" {
  cidr_block           = "10.42.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags                 = { Name = "homelab" }
}

resource "aws_subnet" "lab" {
  vpc_id            = aws_vpc.lab.id
  cidr_block        = "10.42.1.0/24"
  availability_zone = data.aws_availability_zones.available.names[0]
  tags              = { Name = "homelab-a" }
}

resource "aws_vpc_dhcp_options" "lab" {
  domain_name         = "homelab.internal"
  domain_name_servers = ["AmazonProvidedDNS"]
  ntp_servers         = ["10.42.0.123"]
  tags                = { Name = "homelab-dhcp" }
}

resource "aws_vpc_dhcp_options_association" "lab" {
  vpc_id          = aws_vpc.lab.id
  dhcp_options_id = aws_vpc_dhcp_options.lab.id
}

resource "aws_internet_gateway" "lab" {
  vpc_id = aws_vpc.lab.id
  tags   = { Name = "homelab-igw" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.lab.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.lab.id
  }
  tags = { Name = "homelab-public" }
}

resource "aws_route_table_association" "lab" {
  subnet_id      = aws_subnet.lab.id
  route_table_id = aws_route_table.public.id
}

# A private subnet whose egress leaves through a NAT gateway in the public
# subnet, with its own Elastic IP (the provider's documented pattern).
resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.lab.id
  cidr_block        = "10.42.2.0/24"
  availability_zone = data.aws_availability_zones.available.names[0]
  tags              = { Name = "homelab-private" }
}

resource "aws_eip" "nat" {
  domain     = "vpc"
  tags       = { Name = "homelab-nat" }
  depends_on = [aws_internet_gateway.lab]
}

resource "aws_nat_gateway" "lab" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.lab.id
  tags          = { Name = "homelab-nat" }
  depends_on    = [aws_internet_gateway.lab]
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.lab.id
  tags   = { Name = "homelab-private" }
}

resource "aws_route" "private_egress" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.lab.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

resource "aws_network_acl" "lab" {
  vpc_id     = aws_vpc.lab.id
  subnet_ids = [aws_subnet.lab.id]
  ingress {
    rule_no    = 90
    protocol   = "tcp"
    action     = "deny"
    cidr_block = "0.0.0.0/0"
    from_port  = 23
    to_port    = 23
  }
  ingress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
  egress {
    rule_no    = 100
    protocol   = "-1"
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
  tags = { Name = "homelab-acl" }
}

resource "aws_security_group" "ssh" {
  name        = "homelab-ssh"
  description = "ssh from the lab"
  vpc_id      = aws_vpc.lab.id
  tags        = { Name = "homelab-ssh" }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.ssh.id
  cidr_ipv4         = "10.42.0.0/16"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.ssh.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

resource "aws_security_group" "web" {
  name        = "homelab-web"
  description = "web, inline rules"
  vpc_id      = aws_vpc.lab.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["10.42.0.0/16"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_key_pair" "lab" {
  key_name   = "homelab"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd1ZXN0a2V5Zm9ydGVzdGluZ29ubHkwMDAwMDAwMDAw homelab"
}

resource "aws_placement_group" "spread" {
  name     = "homelab-spread"
  strategy = "spread"
}

resource "aws_instance" "web" {
  ami                    = data.aws_ami.tiny.id
  instance_type          = var.instance_type
  subnet_id              = aws_subnet.lab.id
  vpc_security_group_ids = [aws_security_group.ssh.id, aws_security_group.web.id]
  key_name               = aws_key_pair.lab.key_name
  placement_group        = aws_placement_group.spread.name
  user_data              = "#!/bin/sh\necho terraform-was-here\n"
  root_block_device {
    volume_size = 1
    volume_type = "gp3"
  }
  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 1
    volume_type = "gp3"
  }
  tags = { Name = "homelab-web", Role = "web" }
  # aws_volume_attachment.data attaches /dev/sdg: without this, as on AWS,
  # the provider reads it back as a drifted ebs_block_device.
  lifecycle {
    ignore_changes = [ebs_block_device]
  }
}

resource "aws_launch_template" "worker" {
  name        = "homelab-worker"
  description = "workers"
  image_id    = data.aws_ami.tiny.id
  # not var.instance_type: a new template version would replace the worker
  # launched from "$Latest" on the next plan (as on AWS)
  instance_type          = "t3.nano"
  key_name               = aws_key_pair.lab.key_name
  user_data              = base64encode("#!/bin/sh\necho launched-from-template\n")
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.ssh.id]
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
  tag_specifications {
    resource_type = "instance"
    tags          = { Role = "worker" }
  }
}

resource "aws_instance" "worker" {
  subnet_id = aws_subnet.lab.id
  launch_template {
    id      = aws_launch_template.worker.id
    version = "$Latest"
  }
  # the template tags the instance Role=worker: say so here too, or the
  # provider reads it back as drift (as on AWS)
  tags = { Name = "homelab-worker", Role = "worker" }
  # the provider hashes user_data it did not send twice on refresh and
  # plans a change that is not one (as on AWS)
  lifecycle {
    ignore_changes = [user_data]
  }
}

resource "aws_ebs_volume" "data" {
  availability_zone = aws_instance.web.availability_zone
  size              = 1
  type              = "gp3"
  tags              = { Name = "homelab-data" }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdg"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.web.id
}

resource "aws_ebs_snapshot" "data" {
  volume_id = aws_ebs_volume.data.id
  tags      = { Name = "homelab-data-snap" }
}

resource "aws_ami_from_instance" "web" {
  name               = "homelab-web-image"
  source_instance_id = aws_instance.web.id
}

resource "aws_ami_copy" "web" {
  name              = "homelab-web-copy"
  source_ami_id     = aws_ami_from_instance.web.id
  source_ami_region = "lab-1"
}

resource "aws_eip" "web" {
  domain     = "vpc"
  instance   = aws_instance.web.id
  tags       = { Name = "homelab-web" }
  depends_on = [aws_internet_gateway.lab]
}

data "aws_vpc" "lab" {
  id = aws_vpc.lab.id
}

data "aws_subnets" "lab" {
  filter {
    name   = "vpc-id"
    values = [aws_vpc.lab.id]
  }
  depends_on = [aws_subnet.lab, aws_subnet.private]
}

data "aws_subnet" "lab" {
  id = aws_subnet.lab.id
}

data "aws_security_group" "ssh" {
  id = aws_security_group.ssh.id
}

data "aws_instance" "web" {
  instance_id = aws_instance.web.id
}

data "aws_instances" "web" {
  instance_tags = { Role = "web" }
  depends_on    = [aws_instance.web]
}

output "account_id" { value = data.aws_caller_identity.me.account_id }
output "instance_id" { value = aws_instance.web.id }
output "worker_id" { value = aws_instance.worker.id }
output "launch_template_id" { value = aws_launch_template.worker.id }
output "instance_ids" { value = data.aws_instances.web.ids }
output "zones" { value = data.aws_availability_zones.available.names }
output "subnets" { value = data.aws_subnets.lab.ids }
output "vcpus" { value = data.aws_ec2_instance_type.small.default_vcpus }
output "ami" { value = aws_ami_from_instance.web.id }
output "ami_copy" { value = aws_ami_copy.web.id }
output "data_volume" { value = aws_ebs_volume.data.id }
output "snapshot" { value = aws_ebs_snapshot.data.id }
output "vpc_id" { value = aws_vpc.lab.id }
output "subnet_id" { value = aws_subnet.lab.id }
output "security_groups" { value = [aws_security_group.ssh.id, aws_security_group.web.id] }
output "main_route_table" { value = aws_vpc.lab.main_route_table_id }
output "private_ip" { value = data.aws_instance.web.private_ip }
output "public_ip" { value = aws_eip.web.public_ip }
output "eip_allocation" { value = aws_eip.web.allocation_id }
output "internet_gateway" { value = aws_internet_gateway.lab.id }
output "route_table" { value = aws_route_table.public.id }
output "network_acl" { value = aws_network_acl.lab.id }
output "dhcp_options" { value = aws_vpc_dhcp_options.lab.id }
output "private_subnet" { value = aws_subnet.private.id }
output "private_route_table" { value = aws_route_table.private.id }
output "nat_gateway" { value = aws_nat_gateway.lab.id }
output "nat_eip" { value = aws_eip.nat.id }
output "nat_public_ip" { value = aws_nat_gateway.lab.public_ip }
output "nat_private_ip" { value = aws_nat_gateway.lab.private_ip }
output "nat_interface" { value = aws_nat_gateway.lab.network_interface_id }
