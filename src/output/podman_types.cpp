// The Go types of Podman 4.3 whose values burrow's templates address: Go field names, the JSON
// keys they marshal to, and their types (see go_type.hpp for the spec syntax). Field lists follow
// Podman's structs (libpod/define, pkg/inspect, pkg/domain/entities) so a template written for
// Podman finds the same fields, and one it lacks fails with Go's words.
#include <string>
#include <utility>
#include <vector>

namespace burrow::output {

const std::vector<std::pair<std::string, std::string>>& podman_type_specs() {
    static const std::vector<std::pair<std::string, std::string>> specs = {
        {"*define.Info",
         "Host=host:*define.HostInfo Store=store:*define.StoreInfo Registries=registries "
         "Plugins=plugins:define.Plugins Version=version:define.Version"},
        {"*entities.SystemVersionReport",
         "Client:*define.Version Server:*define.Version"},
        {"*define.InspectContainerData",
         "ID=Id:string Created Path:string Args:[]string State:*define.InspectContainerState Image:string "
         "ImageDigest:string ImageName:string Rootfs:string Pod:string ResolvConfPath:string "
         "HostnamePath:string HostsPath:string StaticDir:string OCIConfigPath:string OCIRuntime:string "
         "ConmonPidFile:string PidFile:string Name:string RestartCount:int Driver:string "
         "MountLabel:string ProcessLabel:string AppArmorProfile:string EffectiveCaps:[]string "
         "BoundingCaps:[]string ExecIDs:[]string GraphDriver:*define.DriverData SizeRw:int SizeRootFs:int "
         "Mounts:[]define.InspectMount Dependencies:[]string "
         "NetworkSettings:*define.InspectNetworkSettings Namespace:string IsInfra:bool IsService:bool "
         "Config:*define.InspectContainerConfig HostConfig:*define.InspectContainerHostConfig"},
        {"*entities.ImageInspectReport",
         "ID=Id:string Digest:string RepoTags:[]string RepoDigests:[]string Parent:string Comment:string "
         "Created Config:*v1.ImageConfig Version:string Author:string Architecture:string Os:string "
         "Size:int VirtualSize:int GraphDriver:*define.DriverData RootFS:*inspect.RootFS "
         "Labels:map[string] Annotations:map[string] ManifestType:string User:string History:[]v1.History "
         "NamesHistory:[]string HealthCheck=Healthcheck"},
        {"*entities.VolumeInspectReport",
         "Name:string Driver:string Mountpoint:string CreatedAt Status Labels:map[string] Scope:string "
         "Options:map[string] UID:int GID:int Anonymous:bool MountCount:int NeedsCopyUp:bool "
         "NeedsChown:bool Timeout:int StorageID:string"},
        {"*define.HostInfo",
         "Arch=arch:string BuildahVersion=buildahVersion:string CgroupManager=cgroupManager:string "
         "CgroupsVersion=cgroupVersion:string CgroupControllers=cgroupControllers:[]string "
         "Conmon=conmon:*define.ConmonInfo CPUs=cpus:int CPUUtilization=cpuUtilization:*define.CPUUsage "
         "Distribution=distribution:define.DistributionInfo EventLogger=eventLogger:string "
         "Hostname=hostname:string IDMappings=idMappings:define.IDMappings Kernel=kernel:string "
         "LogDriver=logDriver:string MemFree=memFree:int MemTotal=memTotal:int "
         "NetworkBackend=networkBackend:string OCIRuntime=ociRuntime:*define.OCIRuntimeInfo OS=os:string "
         "RemoteSocket=remoteSocket:*define.RemoteSocket RuntimeInfo=runtimeInfo "
         "ServiceIsRemote=serviceIsRemote:bool Security=security:define.SecurityInfo "
         "Slirp4NetNS=slirp4netns:define.SlirpInfo SwapFree=swapFree:int SwapTotal=swapTotal:int "
         "Uptime=uptime:string Linkmode=linkmode:string"},
        {"*define.StoreInfo",
         "ConfigFile=configFile:string ContainerStore=containerStore:define.ContainerStore "
         "GraphDriverName=graphDriverName:string GraphOptions=graphOptions GraphRoot=graphRoot:string "
         "GraphRootAllocated=graphRootAllocated:int GraphRootUsed=graphRootUsed:int "
         "GraphStatus=graphStatus:map[string] ImageCopyTmpDir=imageCopyTmpDir:string "
         "ImageStore=imageStore:define.ImageStore RunRoot=runRoot:string VolumePath=volumePath:string"},
        {"define.Plugins",
         "Volume=volume:[]string Network=network:[]string Log=log:[]string "
         "Authorization=authorization:[]string"},
        {"define.Version",
         "APIVersion:string Version:string GoVersion:string GitCommit:string BuiltTime:string Built:int "
         "OsArch:string Os:string"},
        {"*define.Version",
         "APIVersion:string Version:string GoVersion:string GitCommit:string BuiltTime:string Built:int "
         "OsArch:string Os:string"},
        {"*define.InspectContainerState",
         "OciVersion:string Status:string Running:bool Paused:bool Restarting:bool OOMKilled:bool "
         "Dead:bool Pid:int ConmonPid:int ExitCode:int Error:string StartedAt FinishedAt "
         "Health:define.HealthCheckResults Checkpointed:bool CgroupPath:string CheckpointedAt RestoredAt "
         "CheckpointLog:string CheckpointPath:string RestoreLog:string Restored:bool"},
        {"*define.DriverData",
         "Name:string Data:map[string]"},
        {"define.InspectMount",
         "Type:string Name:string Source:string Destination:string Driver:string Mode:string "
         "Options:[]string RW:bool Propagation:string"},
        {"*define.InspectNetworkSettings",
         "EndpointID:string Gateway:string IPAddress:string IPPrefixLen:int "
         "SecondaryIPAddresses:[]define.Address IPv6Gateway:string GlobalIPv6Address:string "
         "GlobalIPv6PrefixLen:int SecondaryIPv6Addresses:[]define.Address MacAddress:string "
         "AdditionalMacAddresses=AdditionalMACAddresses:[]string Bridge:string SandboxID:string "
         "HairpinMode:bool LinkLocalIPv6Address:string LinkLocalIPv6PrefixLen:int "
         "Ports:map[[]define.InspectHostPort] SandboxKey:string "
         "Networks:map[*define.InspectAdditionalNetwork]"},
        {"*define.InspectContainerConfig",
         "Hostname:string DomainName=Domainname:string User:string AttachStdin:bool AttachStdout:bool "
         "AttachStderr:bool Tty:bool OpenStdin:bool StdinOnce:bool Env:[]string Cmd:[]string Image:string "
         "Volumes WorkingDir:string Entrypoint:string OnBuild:string Labels:map[string] "
         "Annotations:map[string] StopSignal:int Healthcheck HealthcheckOnFailureAction:string "
         "CreateCommand:[]string Timezone:string SystemdMode:bool Umask:string "
         "Secrets:[]*define.InspectSecret Timeout:int StopTimeout:int Passwd:bool ChrootDirs:[]string "
         "SdNotifyMode=sdNotifyMode:string SdNotifySocket=sdNotifySocket:string"},
        {"*define.InspectContainerHostConfig",
         "Binds:[]string CgroupManager:string CgroupMode:string ContainerIDFile:string "
         "LogConfig:*define.InspectLogConfig NetworkMode:string "
         "PortBindings:map[[]define.InspectHostPort] RestartPolicy:*define.InspectRestartPolicy "
         "AutoRemove:bool VolumeDriver:string VolumesFrom:[]string CapAdd:[]string CapDrop:[]string "
         "Dns:[]string DnsOptions:[]string DnsSearch:[]string ExtraHosts:[]string GroupAdd:[]string "
         "IpcMode:string Cgroup:string Cgroups:string Links:[]string OomScoreAdj:int PidMode:string "
         "Privileged:bool PublishAllPorts:bool ReadonlyRootfs:bool SecurityOpt:[]string Tmpfs:map[string] "
         "UTSMode:string UsernsMode:string IDMappings:*define.InspectIDMappings ShmSize:int "
         "Runtime:string ConsoleSize:[]int Isolation:string CpuShares:int Memory:int NanoCpus:int "
         "CgroupParent:string BlkioWeight:int BlkioWeightDevice:[]define.InspectBlkioWeightDevice "
         "BlkioDeviceReadBps:[]define.InspectBlkioThrottleDevice "
         "BlkioDeviceWriteBps:[]define.InspectBlkioThrottleDevice "
         "BlkioDeviceReadIOps:[]define.InspectBlkioThrottleDevice "
         "BlkioDeviceWriteIOps:[]define.InspectBlkioThrottleDevice CpuPeriod:int CpuQuota:int "
         "CpuRealtimePeriod:int CpuRealtimeRuntime:int CpusetCpus:string CpusetMems:string "
         "Devices:[]define.InspectDevice DiskQuota:int KernelMemory:int MemoryReservation:int "
         "MemorySwap:int MemorySwappiness:int OomKillDisable:bool Init:bool PidsLimit:int "
         "Ulimits:[]define.InspectUlimit CpuCount:int CpuPercent:int IOMaximumIOps:int "
         "IOMaximumBandwidth:int CgroupConf:map[string]"},
        {"*inspect.RootFS",
         "Type:string Layers:[]string"},
        {"*define.ConmonInfo",
         "Package=package:string Path=path:string Version=version:string"},
        {"*define.CPUUsage",
         "UserPercent=userPercent:float SystemPercent=systemPercent:float IdlePercent=idlePercent:float"},
        {"define.DistributionInfo",
         "Distribution=distribution:string Variant=variant:string Version=version:string "
         "Codename=codename:string"},
        {"define.IDMappings",
         "GIDMap=gidmap UIDMap=uidmap"},
        {"*define.OCIRuntimeInfo",
         "Name=name:string Package=package:string Path=path:string Version=version:string"},
        {"*define.RemoteSocket",
         "Path=path:string Exists=exists:bool"},
        {"define.SecurityInfo",
         "AppArmorEnabled=apparmorEnabled:bool DefaultCapabilities=capabilities:string "
         "Rootless=rootless:bool SECCOMPEnabled=seccompEnabled:bool "
         "SECCOMPProfilePath=seccompProfilePath:string SELinuxEnabled=selinuxEnabled:bool"},
        {"define.SlirpInfo",
         "Executable=executable:string Package=package:string Version=version:string"},
        {"define.ContainerStore",
         "Number=number:int Paused=paused:int Running=running:int Stopped=stopped:int"},
        {"define.ImageStore",
         "Number=number:int"},
        {"define.HealthCheckResults",
         "Status:string FailingStreak:int Log:[]define.HealthCheckLog"},
        {"define.Address",
         "Addr:string PrefixLength:int"},
        {"define.InspectHostPort",
         "HostIP=HostIp:string HostPort:string"},
        {"*define.InspectAdditionalNetwork",
         "EndpointID:string Gateway:string IPAddress:string IPPrefixLen:int "
         "SecondaryIPAddresses:[]define.Address IPv6Gateway:string GlobalIPv6Address:string "
         "GlobalIPv6PrefixLen:int SecondaryIPv6Addresses:[]define.Address MacAddress:string "
         "AdditionalMacAddresses=AdditionalMACAddresses:[]string NetworkID:string DriverOpts:map[string] "
         "IPAMConfig:map[string] Links:[]string Aliases:[]string"},
        {"*define.InspectSecret",
         "Name:string ID:string UID:int GID:int Mode:int"},
        {"*define.InspectLogConfig",
         "Type:string Config:map[string] Path:string Tag:string Size:string"},
        {"*define.InspectRestartPolicy",
         "Name:string MaximumRetryCount:int"},
        {"*define.InspectIDMappings",
         "UIDMap=UidMap:[]string GIDMap=GidMap:[]string"},
        {"define.InspectBlkioWeightDevice",
         "Path:string Weight:int"},
        {"define.InspectBlkioThrottleDevice",
         "Path:string Rate:int"},
        {"define.InspectDevice",
         "PathOnHost:string PathInContainer:string CgroupPermissions:string"},
        {"define.InspectUlimit",
         "Name:string Soft:int Hard:int"},
        {"define.HealthCheckLog",
         "Start:string End:string ExitCode:int Output:string"},
        {"*v1.ImageConfig",
         "User:string ExposedPorts Env:[]string Entrypoint:[]string Cmd:[]string Volumes "
         "WorkingDir:string Labels:map[string] StopSignal:string"},
        {"v1.History",
         "Created=created CreatedBy=created_by:string Author=author:string Comment=comment:string "
         "EmptyLayer=empty_layer:bool"},
    };
    return specs;
}

}  // namespace burrow::output
